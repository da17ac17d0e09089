/**
 * A short, human label for the device a session was opened on ("Chrome on macOS"), from the
 * User-Agent at sign-in. Built only from the fixed names below, never from text copied out of the
 * header: the label is shown to the person and to operators, and the header is attacker-chosen.
 * The header itself is not kept.
 */
const BROWSERS: ReadonlyArray<readonly [RegExp, string]> = [
  // Order matters: Edge, Opera and Samsung Internet also say "Chrome"; Chrome also says "Safari".
  [/\bEdg(e|A|iOS)?\//, 'Edge'],
  [/\bOPR\/|\bOpera\b/, 'Opera'],
  [/\bSamsungBrowser\//, 'Samsung Internet'],
  [/\bFBAN\/|\bFBAV\//, 'Facebook app'],
  [/\bInstagram\b/, 'Instagram app'],
  [/\bFirefox\/|\bFxiOS\//, 'Firefox'],
  [/\bChrome\/|\bCriOS\//, 'Chrome'],
  [/\bVersion\/[\d.]+.*Safari\//, 'Safari'],
  [/\bokhttp\//i, 'Android app'],
  [/\bCFNetwork\/|\bDarwin\//, 'iOS app'],
];

const SYSTEMS: ReadonlyArray<readonly [RegExp, string]> = [
  [/\biPad\b/, 'iPad'],
  [/\biPhone\b|\biPod\b|\biOS\b|\bCFNetwork\//, 'iOS'],
  [/\bAndroid\b|\bokhttp\//i, 'Android'],
  [/\bCrOS\b/, 'ChromeOS'],
  [/\bWindows\b/, 'Windows'],
  [/\bMac OS X\b|\bMacintosh\b/, 'macOS'],
  [/\bLinux\b/, 'Linux'],
];

/** Longer headers are not read further (they are never longer for a real browser). */
const MAX_READ = 512;

export function deviceLabel(userAgent: string | undefined): string {
  const text = (userAgent ?? '').slice(0, MAX_READ);
  const browser = BROWSERS.find(([pattern]) => pattern.test(text))?.[1];
  const system = SYSTEMS.find(([pattern]) => pattern.test(text))?.[1];
  if (browser && system) return browser.endsWith(' app') && browser.startsWith(system) ? browser : `${browser} on ${system}`;
  if (browser) return browser;
  if (system) return `Unknown browser on ${system}`;
  return 'Unknown device';
}
