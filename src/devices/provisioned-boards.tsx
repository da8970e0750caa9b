// Boards the Flash view put on a network over Improv, with the URL each reported: one click fills in the address,
// and only the pairing secret is left to enter.
import { useEffect, useState } from 'preact/hooks';
import { listDevices, type DeviceRecord, type PairedDevice } from '../store/index.ts';

export function ProvisionedBoards({ paired, onChoose, disabled }: { paired: readonly PairedDevice[]; onChoose: (board: DeviceRecord) => void; disabled: boolean }) {
  const [boards, setBoards] = useState<DeviceRecord[]>([]);
  useEffect(() => {
    let current = true;
    listDevices().then(
      (list) => current && setBoards(list),
      () => current && setBoards([]), // the forms still work without this shortcut
    );
    return () => {
      current = false;
    };
  }, []);
  const pairedOrigins = new Set(paired.map((d) => d.url));
  const pairedBoards = new Set(paired.map((d) => d.boardMac));
  const waiting = boards.filter((b) => URL.canParse(b.url) && !pairedOrigins.has(new URL(b.url).origin) && !pairedBoards.has(b.mac));
  if (waiting.length === 0) return null;
  return (
    <section class="devices-boards" aria-labelledby="devices-boards-heading">
      <h3 id="devices-boards-heading">Boards set up over USB</h3>
      <ul>
        {waiting.map((board) => (
          <li key={board.mac}>
            <span>
              {board.firmware.name} {board.firmware.version} ("{board.deviceName}", {board.chipName}, MAC {board.mac}) at <code>{board.url}</code>
            </span>
            <button type="button" class="button" disabled={disabled} aria-label={`Add the board at ${board.url}`} onClick={() => onChoose(board)}>
              Add this board
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}
