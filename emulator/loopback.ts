/**
 * Who may use the admin APIs: loopback callers only, which is all of 127.0.0.0/8 and ::1 (also as an
 * IPv4-mapped IPv6 address), not only 127.0.0.1.
 */

/** Whether a socket's `remoteAddress` is a loopback address. */
export function isLoopback(address: string | undefined): boolean {
  if (!address) return false;
  if (address === '::1') return true;
  const v4 = address.startsWith('::ffff:') ? address.slice('::ffff:'.length) : address;
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(v4);
}
