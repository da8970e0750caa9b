// Rasterises the hand-written SVG icons to the PNG sizes the web app manifest lists, with Debian Chromium.
// Run after editing public/icons/*.svg:  node scripts/make-icons.mjs
import { chromium } from 'playwright-core';
import { readFile, writeFile } from 'node:fs/promises';

const OUTPUTS = [
  { svg: 'public/icons/icon.svg', png: 'public/icons/icon-192.png', size: 192 },
  { svg: 'public/icons/icon.svg', png: 'public/icons/icon-512.png', size: 512 },
  { svg: 'public/icons/icon-maskable.svg', png: 'public/icons/icon-maskable-512.png', size: 512 },
];

const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: ['--no-sandbox'] });
try {
  const page = await browser.newPage();
  for (const { svg, png, size } of OUTPUTS) {
    const markup = await readFile(svg, 'utf8');
    await page.setViewportSize({ width: size, height: size });
    await page.setContent(
      `<html><body style="margin:0;background:transparent">` +
        `<img src="data:image/svg+xml;base64,${Buffer.from(markup).toString('base64')}" width="${size}" height="${size}" style="display:block"></body></html>`,
    );
    await page.locator('img').evaluate((img) => img.decode());
    await writeFile(png, await page.screenshot({ omitBackground: true, clip: { x: 0, y: 0, width: size, height: size } }));
    console.log(`${png} (${size}×${size})`);
  }
} finally {
  await browser.close();
}
