// What the Flash view's buttons do: connect, flash a release, keep the serial monitor, report problems.
import { InstallRefused, releaseForInstall } from '../trust/install-check.ts';
import { beginOperation } from '../operations.ts';
import { chooseUsbSerialPort } from '../serial/port-chooser.ts';
import { portLockName } from '../serial/port-lock.ts';
import { describeUsbPort } from '../serial/usb-bridges.ts';
import { explainSerialError, FlashProblem, type SerialStage } from '../serial/flash-problems.ts';
import { ROM_BAUD, type WriteOptions } from '../serial/esp-session.ts';
import type { SharedPortView } from '../serial/serial-monitor.ts';
import type { SimulatedWifi } from '@fieldflash/esp-emulator';
import { formatFlashSize } from '../serial/device-identity.ts';
import { BootReporter } from './boot-report.ts';
import { forgetContents, knownContents, rememberContents, writtenWhen } from './board-record.ts';
import { DeviceLink } from './device-link.ts';
import { expectedApp, layoutContents } from './layout-contents.ts';
import { checkEraseAllLayout, checkKeepDataLayout } from './layout-guard.ts';
import { partsForBuild, MissingLayoutError } from './release-parts.ts';
import { releaseOption } from './release-choice.ts';
import { SimulatedDevice } from './simulated-device.ts';
import { CONSOLE_LIMIT, flashState, type FlashOptions, type LastingFaults, type SimulatedChip } from './flash-state.ts';

const LOG_LIMIT = 2000;

/** Failures worth one more try at the ROM's own rate: the link, not the board, may be at fault. */
const RETRY_SLOWER: ReadonlySet<string> = new Set(['board-stopped-answering', 'verify-failed']);

class FlashController {
  private link: DeviceLink | undefined;
  /** The MAC of the board connected last, to tell a new board from the same one plugged back in. */
  private lastBoardMac: string | undefined;
  private simulatedDevice: SimulatedDevice | undefined;

  log = (line: string): void => {
    flashState.log.update((lines) => [...lines, line].slice(-LOG_LIMIT));
  };

  private readonly boot = new BootReporter(this.log);
  /** While a file copy speaks the raw REPL, its traffic stays off the console. */
  private consoleMuted = false;

  private appendConsole = (text: string): void => {
    if (this.consoleMuted) return;
    flashState.console.update((all) => (all + text).slice(-CONSOLE_LIMIT));
    this.boot.push(text);
  };

  async connectUsb(): Promise<void> {
    if (this.link) return;
    let port: SerialPort;
    try {
      port = await chooseUsbSerialPort();
    } catch (error) {
      this.fail(error, 'choose');
      return;
    }
    const info = port.getInfo();
    await this.attach(port, { label: describeUsbPort(info), lockName: portLockName(info), simulated: false });
  }

  /** Connects the in-page emulator; the same simulated board (and its flash) is reused while chip and size stay the same. */
  async connectSimulated(chip: SimulatedChip, flashSize: number, wireTime: boolean, flashTime: boolean): Promise<void> {
    if (this.link) return;
    let device = this.simulatedDevice;
    if (!device || device.chip !== chip || device.flashSize !== flashSize) {
      device = await SimulatedDevice.create(chip, flashSize);
      device.onCableChange(() => this.publishSimulated());
      this.simulatedDevice = device;
    }
    device.setWireTime(wireTime);
    device.setFlashTime(flashTime);
    this.publishSimulated();
    if (!device.plugged) {
      this.showProblem(
        new FlashProblem(
          'cable-pulled',
          `The simulated ${device.chipLabel}'s cable is pulled out.`,
          'Press "Re-plug" in the Simulated device panel, then connect again.',
        ),
      );
      return;
    }
    await this.attach(device.openPort(), { label: `Simulated ${device.chipLabel} (in this page)`, lockName: portLockName({}, true), simulated: true });
  }

  private async attach(port: SerialPort, options: { label: string; lockName: string; simulated: boolean }): Promise<void> {
    flashState.problem.set(undefined);
    flashState.connection.set({ status: 'connecting', simulated: options.simulated });
    this.log(`Connecting to ${options.label}…`);
    try {
      this.link = await DeviceLink.open(port, { ...options, log: this.log });
    } catch (error) {
      flashState.connection.set({ status: 'disconnected' });
      this.fail(error, 'connect');
      return;
    }
    const id = this.link.identity;
    this.log(`Connected: ${id.model}, revision ${id.revision}, MAC ${id.mac}, ${formatFlashSize(id.flashSize)} flash.`);
    if (id.mac !== this.lastBoardMac) {
      // Another board: the last one's result and boot verdict are not this one's. The same board plugged back in
      // keeps them, so a write cut short still shows how far it got.
      flashState.outcome.set(undefined);
      flashState.progress.set(undefined);
      flashState.boot.set(undefined);
    }
    this.lastBoardMac = id.mac;
    this.publishConnection();
  }

  async disconnect(): Promise<void> {
    const link = this.link;
    this.link = undefined;
    this.boot.forget();
    flashState.connection.set({ status: 'disconnected' });
    flashState.activity.set('idle');
    await link?.close();
    this.log('Disconnected.');
  }

  /** Flashes the release's build for the connected chip, then resets the board into the app with the monitor open. */
  async flash(releaseId: string, options: FlashOptions): Promise<void> {
    const link = this.link;
    if (!link || flashState.activity.get() === 'flashing') return;
    flashState.problem.set(undefined);
    flashState.outcome.set(undefined);
    flashState.progress.set(undefined);
    this.boot.forget();
    flashState.boot.set(undefined);
    // The library copy's digests and the release's trust are checked again right before the write.
    const release = await releaseForInstall(releaseId).catch((error: unknown) => {
      this.fail(error instanceof InstallRefused ? new FlashProblem('release-refused', error.message, error.hint) : error, 'write');
      return undefined;
    });
    if (!release) return;
    const label = `${release.product} ${release.version}`;
    const end = beginOperation(`Flashing ${label}`);
    flashState.activity.set('flashing');
    try {
      const choice = releaseOption(release, link.identity.chipFamily);
      if (!choice.build) throw new FlashProblem('wrong-chip', `Wrong chip: ${choice.reason ?? `${label} has no build for this chip`}.`, `Choose a release built for ${link.identity.chipFamily ?? 'this chip'}, or connect the board this release is for. Nothing was written.`);
      const contents = layoutContents(release.files, choice.build);
      const board = link.simulated ? `the simulated ${link.identity.chipName}` : link.identity.chipName;
      if (options.erase === 'erase-all') checkEraseAllLayout(contents, link.identity, board.replace(/^the /, ''));
      const parts = await partsForBuild(release, choice.build);
      let session = await link.flashingSession();
      this.publishConnection();
      const mac = session.identity.mac;
      const keepData = options.erase === 'keep-data';
      const previous = keepData ? await knownContents(mac, this.log) : undefined;
      const writeOptions: WriteOptions = { eraseAll: !keepData, flashMode: options.flashMode, skipUnchanged: keepData, onBoard: previous?.parts };
      this.log(`Flashing ${label} (${parts.length} part${parts.length === 1 ? '' : 's'}${writeOptions.eraseAll ? ', erasing everything first' : ', keeping data'}).`);
      if (previous) this.log(`FieldFlash wrote ${previous.label} to this board (${writtenWhen(previous.writtenAt)}): comparing with it, sector by sector.`);
      const actual = await session.setBaudRate(options.baudRate);
      if (keepData) await checkKeepDataLayout(session, contents, this.log);
      await forgetContents(mac, this.log);
      let report;
      try {
        report = await session.writeParts(parts, writeOptions, (p) => flashState.progress.set(p));
      } catch (error) {
        if (!(error instanceof FlashProblem) || !RETRY_SLOWER.has(error.code) || session.baudRate <= ROM_BAUD || session.lost) throw error;
        this.log(`Writing at ${session.baudRate} baud failed (${error.message}) Falling back to ${ROM_BAUD} baud and writing again.`);
        await link.dropSession();
        session = await link.flashingSession();
        // What the cut-short write left is unknown: the board's own MD5s decide what to write again.
        report = await session.writeParts(parts, { ...writeOptions, eraseAll: false, skipUnchanged: true, onBoard: undefined }, (p) => flashState.progress.set(p));
      }
      await rememberContents(mac, { id: release.id, label }, report, this.log);
      const fellBackFrom = report.baudRate !== options.baudRate ? options.baudRate : undefined;
      const comparedWith = report.parts.some((p) => p.basis === 'known') && previous ? { label: previous.label, writtenAt: previous.writtenAt } : undefined;
      flashState.outcome.set({ releaseLabel: label, board, report, fellBackFrom, comparedWith });
      this.log(`Done in ${report.seconds.toFixed(1)} s at ${report.baudRate} baud${actual !== options.baudRate || fellBackFrom ? ` (fell back from ${options.baudRate})` : ''}. Resetting into the app.`);
      flashState.console.set('');
      this.boot.expect({ expected: expectedApp(contents), bootloaderOffset: link.identity.bootloaderOffset, releaseLabel: label });
      this.boot.begin(flashState.consoleBaud.get());
      await link.startMonitor(flashState.consoleBaud.get(), { reset: true, onText: this.appendConsole, onLost: (p) => this.lost(p) });
      flashState.activity.set('monitoring');
    } catch (error) {
      flashState.activity.set('idle');
      this.boot.abandon();
      if (error instanceof MissingLayoutError) this.showProblem(new FlashProblem('unexpected', error.message, 'Import the release again, or choose another release.'));
      else this.fail(error, 'write');
    } finally {
      end();
    }
  }

  /** Opens the monitor without flashing (or reopens it at another rate). */
  async setConsoleBaud(baudRate: number): Promise<void> {
    flashState.consoleBaud.set(baudRate);
    const link = this.link;
    if (!link || flashState.activity.get() === 'flashing') return;
    this.boot.abandon();
    try {
      await link.startMonitor(baudRate, { reset: false, onText: this.appendConsole, onLost: (p) => this.lost(p) });
      flashState.activity.set('monitoring');
    } catch (error) {
      this.fail(error, 'monitor');
    }
  }

  /** Resets the board with the monitor open, so the boot log shows again. */
  async resetBoard(): Promise<void> {
    const link = this.link;
    if (!link || flashState.activity.get() === 'flashing') return;
    this.boot.begin(flashState.consoleBaud.get());
    try {
      await link.startMonitor(flashState.consoleBaud.get(), { reset: true, onText: this.appendConsole, onLost: (p) => this.lost(p) });
      flashState.activity.set('monitoring');
    } catch (error) {
      this.fail(error, 'monitor');
    }
  }

  /** Wi-Fi setup (src/provision) talks to the app over the open console without taking the port from it. */
  sharedConsole(): SharedPortView | undefined {
    return this.link?.shareMonitor();
  }

  clearConsole(): void {
    flashState.console.set('');
  }

  muteConsole(muted: boolean): void {
    this.consoleMuted = muted;
  }

  // The simulated device panel.

  pullSimulatedCable(afterKiB: number): void {
    const device = this.simulatedDevice;
    if (!device) return;
    device.pullCableAfter(Math.max(0, Math.round(afterKiB * 1024)));
    this.log(afterKiB > 0 ? `Simulated cable will be pulled after ${afterKiB} KiB more.` : 'Simulated cable pulled.');
    this.publishSimulated();
  }

  replugSimulated(): void {
    this.simulatedDevice?.replug();
    this.log('Simulated cable plugged back in.');
    this.publishSimulated();
  }

  setSimulatedFaults(faults: LastingFaults): void {
    const device = this.simulatedDevice;
    if (!device) return;
    device.setLastingFaults(faults);
    const parts = [
      faults.maxReliableBaud ? `line reliable only up to ${faults.maxReliableBaud} baud` : '',
      faults.neverSync ? 'never answers SYNC' : '',
      faults.bootFault === 'silent' ? 'prints nothing while it boots' : faults.bootFault ? `app fails after starting (${faults.bootFault})` : '',
    ].filter(Boolean);
    this.log(`Simulated board: ${parts.length > 0 ? parts.join(', ') : 'no lasting faults'}.`);
    this.publishSimulated();
  }

  simulatedWifi(): Readonly<SimulatedWifi> | undefined {
    return this.simulatedDevice?.wifi;
  }

  /** Throws when the emulator refuses the change; never logs the simulated passwords. */
  setSimulatedWifi(change: Partial<SimulatedWifi>): void {
    const device = this.simulatedDevice;
    if (!device) return;
    device.setWifi(change);
    this.log(`Simulated board: Wi-Fi networks ${device.wifi.networks.map((n) => `"${n.ssid}"`).join(', ')}; reports ${device.wifi.deviceUrl} once joined.`);
  }

  simulatedFlashImage(): { bytes: Uint8Array; fileName: string } | undefined {
    const device = this.simulatedDevice;
    if (!device) return undefined;
    return { bytes: device.flashImage(), fileName: `simulated-${device.chip}-${formatFlashSize(device.flashSize).replace(' ', '')}-flash.bin` };
  }

  private publishSimulated(): void {
    const d = this.simulatedDevice;
    flashState.simulated.set(d ? { chip: d.chip, flashSize: d.flashSize, plugged: d.plugged, faults: { ...d.faults } } : undefined);
  }

  private publishConnection(): void {
    const link = this.link;
    if (!link) return;
    flashState.connection.set({ status: 'connected', simulated: link.simulated, portLabel: link.label, identity: link.identity });
  }

  /** The port went away while monitoring. */
  private lost(problem: FlashProblem): void {
    this.boot.abandon();
    this.showProblem(problem);
    void this.disconnect();
  }

  private fail(error: unknown, stage: SerialStage): void {
    const problem = explainSerialError(error, { stage });
    this.showProblem(problem);
    if (problem.code === 'cable-pulled' || problem.code === 'board-stopped-answering') void this.disconnect();
    this.publishSimulated();
  }

  private showProblem(problem: FlashProblem): void {
    this.log(`${problem.message} ${problem.nextStep}`);
    flashState.problem.set({ code: problem.code, message: problem.message, nextStep: problem.nextStep });
  }
}

/** One per page: a flash goes on while the technician looks at the library. */
export const flashController = new FlashController();
