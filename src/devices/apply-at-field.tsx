// The optional "Apply at" time of an update: empty, the device reboots into the image as soon as it has it; set, it
// does so at that time. Only offered when every device it is for can keep a scheduled reboot.
import { localInputValue } from './apply-at.ts';

export function ApplyAtField({ id, value, onInput, disabled, unsupported }: {
  id: string;
  value: string;
  onInput: (value: string) => void;
  disabled: boolean;
  /** Why the device cannot be given a time, when it cannot. */
  unsupported?: string | undefined;
}) {
  return (
    <span class="apply-at">
      <label for={id}>Apply at</label>
      <input
        id={id}
        type="datetime-local"
        value={value}
        min={localInputValue(Date.now())}
        disabled={disabled || unsupported !== undefined}
        aria-describedby={`${id}-note`}
        onInput={(e) => onInput((e.currentTarget as HTMLInputElement).value)}
      />
      <span id={`${id}-note`} class="apply-at__note">
        {unsupported ?? (value ? 'Sent and committed now; the device restarts into it at this time.' : 'Empty: the device restarts into it as soon as it has it.')}
      </span>
    </span>
  );
}
