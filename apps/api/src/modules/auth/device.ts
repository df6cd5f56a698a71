import type { SessionDevice } from '@atrium/contracts';
import Bowser from 'bowser';

const named = (name: string | undefined, version: string | undefined) =>
  name ? (version ? `${name} ${version}` : name) : null;

/** The device a session's User-Agent names, parsed by bowser (MIT; ua-parser-js v2 is AGPL). */
export function deviceOf(userAgent: string | null): SessionDevice {
  if (!userAgent) return { browser: null, os: null, type: null };
  const { browser, os, platform } = Bowser.parse(userAgent);
  return {
    browser: named(browser.name, browser.version),
    os: named(os.name, os.versionName ?? os.version),
    type: platform.type ?? null,
  };
}
