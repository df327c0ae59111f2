import { execFile } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import AxeBuilder from '@axe-core/playwright';
import { chromium as playwright, type Browser, type Page } from 'playwright-core';

const REPO_ROOT = path.resolve(__dirname, '../../..');

/**
 * Where `@sparticuz/chromium` unpacks its Chromium, and the flags it runs with. The package
 * is an ES module, which Jest's CommonJS runtime cannot load, so a child Node process asks it.
 */
async function packagedChromium(): Promise<{ executablePath: string; args: string[] }> {
  const script = [
    "import chromium from '@sparticuz/chromium';",
    'const executablePath = await chromium.executablePath();',
    'process.stdout.write(JSON.stringify({ executablePath, args: chromium.args }));',
  ].join('\n');
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['--input-type=module', '--eval', script],
    { cwd: REPO_ROOT },
  );
  return JSON.parse(stdout) as { executablePath: string; args: string[] };
}

/**
 * Flags of `chromium.args` (made for AWS Lambda) that would switch off what the tests check
 * (the same-origin policy, site isolation, mixed content) or share one process between
 * browser contexts.
 */
const LAMBDA_ONLY_FLAGS = new Set([
  '--disable-web-security',
  '--allow-running-insecure-content',
  '--disable-site-isolation-trials',
  '--single-process',
  '--no-zygote',
]);

/** Headless Chromium from the `@sparticuz/chromium` npm package: nothing to download. */
export async function launchBrowser(): Promise<Browser> {
  const { executablePath, args } = await packagedChromium();
  return playwright.launch({
    executablePath,
    args: args.filter((flag) => !LAMBDA_ONLY_FLAGS.has(flag)),
    headless: true,
  });
}

/** A phone-sized screen (iPhone 12-ish), the size the pages are designed for first. */
export const PHONE = { width: 390, height: 844 };

const SCREENSHOTS = path.resolve(__dirname, '../../../docs/screenshots');

/**
 * Saves the visible part of the page, at CSS pixel size, as docs/screenshots/<name>.png, when
 * `UPDATE_SCREENSHOTS=1` (the README shows them): a plain `npm test` leaves the checkout as it was.
 */
export async function screenshot(page: Page, name: string): Promise<void> {
  if (process.env.UPDATE_SCREENSHOTS !== '1') return;
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), scale: 'css' });
}

/** The axe-core violations of the page that are serious or critical, as `id: target` lines. */
export async function seriousAccessibilityViolations(page: Page): Promise<string[]> {
  const results = await new AxeBuilder({ page }).analyze();
  return results.violations
    .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
    .flatMap((violation) =>
      violation.nodes.map((node) => `${violation.id}: ${node.target.join(' ')}`),
    );
}

/** Whether the page needs horizontal scrolling (it should not on a phone). */
export async function scrollsSideways(page: Page): Promise<boolean> {
  return (await page.evaluate(
    'document.documentElement.scrollWidth > document.documentElement.clientWidth',
  )) as boolean;
}
