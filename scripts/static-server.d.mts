export interface StaticServer {
  url: string;
  port: number;
  close(): Promise<void>;
}
export function startStaticServer(options: { root: string; host?: string; port?: number; tls?: { key: string; cert: string } }): Promise<StaticServer>;
