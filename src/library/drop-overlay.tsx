// Lets a release be dropped anywhere on the window, with an overlay saying what a drop will do.
import { useEffect, useState } from 'preact/hooks';
import { droppedFiles } from './dropped-files.ts';
import { withImportCode } from './import-status.ts';

function carriesFiles(event: DragEvent): boolean {
  return event.dataTransfer?.types.includes('Files') ?? false;
}

export function DropOverlay() {
  const [visible, setVisible] = useState(false);
  useEffect(() => {
    // dragenter/dragleave fire for every child element crossed: count them to know when the drag left the window.
    let depth = 0;
    const onEnter = (event: DragEvent) => {
      if (!carriesFiles(event)) return;
      event.preventDefault();
      depth++;
      setVisible(true);
    };
    const onOver = (event: DragEvent) => {
      if (!carriesFiles(event)) return;
      event.preventDefault(); // allows the drop
      if (event.dataTransfer) event.dataTransfer.dropEffect = 'copy';
    };
    const onLeave = () => {
      depth = Math.max(0, depth - 1);
      if (depth === 0) setVisible(false);
    };
    const onDrop = (event: DragEvent) => {
      depth = 0;
      setVisible(false);
      if (!event.dataTransfer || !carriesFiles(event)) return;
      event.preventDefault(); // otherwise the browser would open the zip and leave FieldFlash
      const name = 'the dropped files';
      droppedFiles(event.dataTransfer).then(
        (picked) => withImportCode(name, (code) => code.importPicked(picked)),
        (error: unknown) => withImportCode(name, (code) => code.reportUnreadableFiles(name, error)),
      );
    };
    window.addEventListener('dragenter', onEnter);
    window.addEventListener('dragover', onOver);
    window.addEventListener('dragleave', onLeave);
    window.addEventListener('drop', onDrop);
    return () => {
      window.removeEventListener('dragenter', onEnter);
      window.removeEventListener('dragover', onOver);
      window.removeEventListener('dragleave', onLeave);
      window.removeEventListener('drop', onDrop);
    };
  }, []);
  if (!visible) return null;
  return (
    <div class="drop-overlay" aria-hidden="true">
      <p>Drop to add the release to the library</p>
    </div>
  );
}
