// The bench page (page/) in Debian Chromium: built with vite and served on its own origin as the e2e tests do theirs,
// so every request to an agent is a real cross-origin fetch; driven over a bare DevTools pipe (cdp-pipe.ts says why),
// which also reads the page's JavaScript memory.
import { build } from 'vite';
import { startStaticServer } from '../../scripts/static-server.mjs';
import { PipeBrowser, type PipePage } from './cdp-pipe.ts';
import type { ImageFile } from './image-files.ts';
import type { LanBench, SendFigures, SendMode } from './page/bench-page.ts';

const OUT = '.tmp/lan-bench-page';

interface HeapUsage {
  usedSize: number;
  backingStorageSize?: number;
}

export interface PageMemory {
  /** The idle page after a full GC: the figure the peak is measured from. */
  idle: number;
  /** Highest JS heap + ArrayBuffer backing stores above idle during the work. */
  peak: number;
  samples: number;
}

export class BenchPage {
  private constructor(
    private readonly browser: PipeBrowser,
    private readonly page: PipePage,
    private readonly stopServer: () => Promise<void>,
  ) {}

  /** `chromiumArgs`: extra command-line flags, e.g. a net log while looking into a figure. */
  static async open(chromiumArgs: readonly string[] = []): Promise<BenchPage> {
    await build({ configFile: false, root: 'bench/lan/page', logLevel: 'warn', build: { outDir: `../../../${OUT}`, emptyOutDir: true, target: 'es2022' } });
    const server = await startStaticServer({ root: OUT, port: 0 });
    const browser = PipeBrowser.launch(chromiumArgs);
    const page = await browser.newPage(server.url);
    await page.waitFor("document.title === 'lan bench ready'");
    return new BenchPage(browser, page, () => server.close());
  }

  private call<K extends keyof LanBench>(name: K, ...args: Parameters<LanBench[K]>): Promise<Awaited<ReturnType<LanBench[K]>>> {
    return this.page.evaluate(`window.lanBench.${name}(...${JSON.stringify(args)})`);
  }

  /** Puts the files in the page's file input and takes each as an image, by file name. */
  async useImages(files: ImageFile[]): Promise<void> {
    await this.page.setInputFiles('input[type=file]', files.map((f) => f.path));
    for (const f of files) await this.call('useImage', f.name, f.sha256);
  }

  connect(url: string, password: string): Promise<void> {
    return this.call('connect', url, password);
  }

  openChannel(url: string): Promise<void> {
    return this.call('openChannel', url);
  }

  closeChannel(url: string): Promise<void> {
    return this.call('closeChannel', url);
  }

  send(urls: string[], image: string, mode: SendMode, from: 'file' | 'memory' = 'file'): Promise<SendFigures> {
    return this.call('send', urls, image, mode, from);
  }

  dropMemoryCopies(): Promise<void> {
    return this.call('dropMemoryCopies');
  }

  bareOffer(): Promise<string> {
    return this.call('bareOffer');
  }

  bareSend(answer: string, total: number, messageSize: number, highWater: number): Promise<number> {
    return this.call('bareSend', answer, total, messageSize, highWater);
  }

  version(): Promise<string> {
    return this.browser.version();
  }

  private async heap(): Promise<number> {
    const usage = await this.page.send<HeapUsage>('Runtime.getHeapUsage');
    return usage.usedSize + (usage.backingStorageSize ?? 0);
  }

  /**
   * Runs `work` while sampling the page's memory back to back, after a full GC of the idle page: as found (garbage
   * V8 has not collected yet included), or `held`, each sample taken right after a full GC (what the page keeps).
   */
  async memoryDuring<T>(work: () => Promise<T>, mode: 'found' | 'held'): Promise<{ result: T; memory: PageMemory }> {
    await this.page.send('HeapProfiler.collectGarbage');
    const idle = await this.heap();
    let running = true;
    let peak = idle;
    let samples = 0;
    const sampling = (async () => {
      while (running) {
        if (mode === 'held') await this.page.send('HeapProfiler.collectGarbage');
        peak = Math.max(peak, await this.heap());
        samples++;
      }
    })();
    try {
      const result = await work();
      return { result, memory: { idle, peak: peak - idle, samples } };
    } finally {
      running = false;
      await sampling;
    }
  }

  async close(): Promise<void> {
    await this.browser.close();
    await this.stopServer();
  }
}
