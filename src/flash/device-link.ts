// The link to one board: its port, the tab's lock on it, and either a flashing session or the serial monitor.
import { EspSession } from '../serial/esp-session.ts';
import { FlashProblem, portInOtherTab } from '../serial/flash-problems.ts';
import { acquirePortLock, type PortLock } from '../serial/port-lock.ts';
import { SerialMonitor, type MonitorOptions, type SharedPortView } from '../serial/serial-monitor.ts';
import type { DeviceIdentity } from '../serial/device-identity.ts';

export class DeviceLink {
  private session: EspSession | undefined;
  private monitor: SerialMonitor | undefined;

  private constructor(
    readonly port: SerialPort,
    readonly label: string,
    readonly simulated: boolean,
    private readonly lock: PortLock,
    private readonly log: (line: string) => void,
    public identity: DeviceIdentity,
  ) {}

  /** Takes the port for this tab and connects to the board's ROM loader. */
  static async open(port: SerialPort, options: { label: string; lockName: string; simulated: boolean; log: (line: string) => void }): Promise<DeviceLink> {
    const lock = await acquirePortLock(options.lockName);
    if (!lock) throw portInOtherTab();
    try {
      const session = await EspSession.connect(port, { log: options.log });
      const link = new DeviceLink(port, options.label, options.simulated, lock, options.log, session.identity);
      link.session = session;
      return link;
    } catch (error) {
      lock.release();
      throw error;
    }
  }

  get monitoring(): boolean {
    return this.monitor !== undefined;
  }

  get monitorBaud(): number | undefined {
    return this.monitor?.baudRate;
  }

  /** A session in the flasher stub: the one from connecting, or a fresh one (which resets the board) after monitoring. */
  async flashingSession(): Promise<EspSession> {
    if (this.session) return this.session;
    await this.stopMonitor();
    const session = await EspSession.connect(this.port, { log: this.log });
    if (session.identity.mac !== this.identity.mac) this.log(`A different board answers now (MAC ${session.identity.mac}).`);
    this.identity = session.identity;
    this.session = session;
    return session;
  }

  /** Drops the session (after a failure) so the next flash reconnects from scratch. */
  async dropSession(): Promise<void> {
    const session = this.session;
    this.session = undefined;
    await session?.close();
  }

  /** Leaves the flasher, opens the port as a plain-text monitor and, when asked, resets the board so its boot log shows. */
  async startMonitor(baudRate: number, options: MonitorOptions & { reset: boolean }): Promise<void> {
    await this.dropSession();
    await this.stopMonitor();
    this.monitor = await SerialMonitor.open(this.port, baudRate, options);
    if (options.reset) await this.monitor.resetBoard();
  }

  /** The open monitor's port for another protocol to share (Wi-Fi setup); undefined while it is closed. */
  shareMonitor(): SharedPortView | undefined {
    return this.monitor?.share();
  }

  async stopMonitor(): Promise<void> {
    const monitor = this.monitor;
    this.monitor = undefined;
    await monitor?.close();
  }

  /** Lets go of the port and of the lock, whatever state the board is in. */
  async close(): Promise<void> {
    try {
      await this.stopMonitor();
      await this.dropSession();
    } catch (error) {
      if (!(error instanceof FlashProblem)) this.log(`Closing the port: ${error instanceof Error ? error.message : String(error)}`);
    } finally {
      this.lock.release();
    }
  }
}
