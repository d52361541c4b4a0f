/** The address to connect to a server bound to `host`: a wildcard bind address is not one to connect to. */
export function reachableHost(host: string): string {
  return host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
}
