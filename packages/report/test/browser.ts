// Launches the machine's Chromium (Debian's `chromium`, or CHROME_PATH) through playwright-core. Nothing is
// downloaded: CI installs the Debian package (.ci/run), a developer may point CHROME_PATH at a Chrome.
import { accessSync, constants, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';

/** The browser binary: CHROME_PATH, else the first of chromium / chromium-browser / google-chrome on the PATH. */
export function findChrome(): string {
  const fromEnv = process.env.CHROME_PATH;
  if (fromEnv) return fromEnv;
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    for (const name of ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable']) {
      const candidate = join(dir, name);
      try {
        accessSync(candidate, constants.X_OK);
        return candidate;
      } catch {
        // not here; keep looking
      }
    }
  }
  throw new Error('no Chromium found: install it (apt-get install -y chromium; .ci/run does so in CI) or set CHROME_PATH to a Chrome or Chromium binary');
}

/**
 * A fresh headless browser with its own empty profile. The flags keep Chromium from calling home (without
 * them it floods a closed network with refused connections).
 */
export async function launchBrowser(): Promise<BrowserContext> {
  return chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), 'autotune-chrome-')), {
    executablePath: findChrome(),
    headless: true,
    viewport: { width: 1280, height: 900 },
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}
