// A release in words, as the app sees it after import: facts, targets, every file with its digest, and the notes.
import { runtimeLabel, type Build, type Release, type ReleaseFile } from '@fieldflash/bundle';

const hex = (n: number) => `0x${n.toString(16)}`;

function targetLine(build: Build): string {
  const t = build.target;
  const who = [t.chipFamily ?? (t.runtime ? '' : 'any chip'), t.runtime && runtimeLabel(t.runtime), t.board && `board ${t.board}`, t.hardwareRevision && `hardware ${t.hardwareRevision}`]
    .filter(Boolean)
    .join(', ');
  const what: string[] = [];
  if (build.ota) what.push(build.ota.kind === 'either' ? `OTA image ${build.ota.image}` : `OTA slot0 ${build.ota.slot0}, slot1 ${build.ota.slot1}`);
  if (build.flash) what.push(`first install (erase ${build.flash.erase}): ${build.flash.parts.map((p) => `${hex(p.offset)} ${p.path}`).join(', ')}`);
  if (build.sourceTree) what.push(`source tree ${build.sourceTree.root || '.'}/ (entry ${build.sourceTree.entry})`);
  return `${who}: ${what.join('; ')}`;
}

function fileLine(file: ReleaseFile, widths: { role: number; size: number }): string {
  const digest = file.role === 'manifest' || file.role === 'signature' || file.digestDeclared ? '' : '  (no digest in the manifest)';
  return `${file.role.padEnd(widths.role)}  ${String(file.size).padStart(widths.size)}  ${file.sha256}  ${file.path}${digest}`;
}

export function describeRelease(release: Release): string[] {
  const widths = {
    role: Math.max(...release.files.map((f) => f.role.length)),
    size: Math.max(...release.files.map((f) => String(f.size).length)),
  };
  return [
    `${release.product} ${release.version}${release.declaredVersion !== release.version ? ` (declared "${release.declaredVersion}")` : ''}`,
    `  release id        ${release.id}`,
    `  format            ${release.format}${release.manifestPath ? `, manifest ${release.manifestPath}` : ''}`,
    `  sequence          ${release.sequence ?? 'not stated'}`,
    `  security version  ${release.securityVersion ?? 'not stated'}`,
    `  applies to        ${release.appliesTo ?? 'any installed version'}`,
    '  targets',
    ...release.builds.map((b) => `    ${targetLine(b)}`),
    `  files (role, bytes, SHA-256, path)`,
    ...release.files.map((f) => `    ${fileLine(f, widths)}`),
    ...(release.notes.length ? ['  notes', ...release.notes.map((n) => `    ${n.level}: ${n.message}`)] : []),
  ];
}
