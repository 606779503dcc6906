/** 127.0.0.0/8, ::1 and localhost: plain http there never leaves the machine, and no quota of the API's applies. */
export function isLoopback(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || hostname === '::1' || /^127(\.\d{1,3}){3}$/.test(hostname);
}
