// The FieldFlash agent beside the tree: whether to install it, the pairing code it will answer to (generated here,
// shown once, never kept by FieldFlash: the board keeps only a key derived from it) and the board's name as the agent
// reports it. After the install: what the agent said as the board started.
import { generatePairingCode } from '@fieldflash/protocol';
import { useEffect, useState } from 'preact/hooks';
import { DEFAULT_BOARD } from '../micropython/agent-install.ts';
import type { StartVerdict } from '../micropython/start-verdict.ts';

export interface AgentChoiceState {
  enabled: boolean;
  secret: string;
  board: string;
  setEnabled(enabled: boolean): void;
  setSecret(secret: string): void;
  setBoard(board: string): void;
}

/** The agent's fields; the board name follows the chosen tree's until someone types one. */
export function useAgentChoice(treeBoard: string | undefined): AgentChoiceState {
  const [enabled, setEnabled] = useState(false);
  const [secret, setSecret] = useState(generatePairingCode);
  const [board, setBoard] = useState(treeBoard ?? DEFAULT_BOARD);
  const [typed, setTyped] = useState(false);
  useEffect(() => {
    if (!typed) setBoard(treeBoard ?? DEFAULT_BOARD);
  }, [treeBoard, typed]);
  return {
    enabled,
    secret,
    board,
    setEnabled,
    setSecret,
    setBoard: (value) => {
      setTyped(true);
      setBoard(value);
    },
  };
}

export function AgentFields({ choice, disabled }: { choice: AgentChoiceState; disabled: boolean }) {
  return (
    <fieldset>
      <legend>FieldFlash agent</legend>
      <label>
        <input type="checkbox" checked={choice.enabled} disabled={disabled} onChange={(e) => choice.setEnabled(e.currentTarget.checked)} /> Install the
        FieldFlash agent with it (LAN updates)
      </label>
      {choice.enabled && (
        <>
          <p class="flash-hint">
            The tree goes in /app, the agent in /lib/fieldflash, and main.py starts both. The board keeps a key derived from the pairing code,
            never the code, and FieldFlash does not keep it either: write it on the board’s label, and type it in Devices when you add the board.
          </p>
          <div class="flash-row">
            <label>
              Pairing code{' '}
              <input type="text" value={choice.secret} disabled={disabled} autoComplete="off" spellcheck={false} onInput={(e) => choice.setSecret(e.currentTarget.value)} />
            </label>
            <button type="button" class="button" disabled={disabled} onClick={() => choice.setSecret(generatePairingCode())}>
              New code
            </button>
          </div>
          <div class="flash-row">
            <label>
              Board name{' '}
              <input type="text" value={choice.board} disabled={disabled} onInput={(e) => choice.setBoard(e.currentTarget.value)} />
            </label>
          </div>
        </>
      )}
    </fieldset>
  );
}

/** What the agent printed as the board started; on the simulated board, how its LAN side is reached instead. */
export function AgentOutcome({ verdict, simulated }: { verdict: StartVerdict; simulated: boolean }) {
  const noNetwork = verdict.agent?.includes('no network module');
  return (
    <>
      <p>Agent: {verdict.agent ?? 'it printed nothing as the board started.'}</p>
      {noNetwork && simulated && (
        <p class="flash-hint">
          The simulated board has no network. To update it over the LAN, save its flash image (Simulated device tools) and run its files with
          the agent’s bridge: <code>npm run agent:micropython -- --dir DIR --flash-file FILE</code>.
        </p>
      )}
    </>
  );
}
