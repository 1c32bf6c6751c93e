// Screenshots of every state a person meets, for the documentation (docs/screenshots.md):
// ready, classes (filled), training (mid-run), trained (with a prediction) and error, on a desktop
// (1280×800) and a phone (390×844, touch), in the light and the dark colour scheme.
//
//   node bench/screenshots.js            (needs `npm run build` and the weights)
//
// Writes docs/screenshots/<state>-<desktop|phone>-<light|dark>.png (full pages). The classes are
// gcompris fishes and tools (.ci/photos.sh's photos, the training split) when they are there,
// the six fixture photos otherwise; the picked image is one the model never saw.

import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { PHOTOS, photoSplit } from '../tests/fixtures/photo-sets.js';
import { ROOT, launchChromium, startServer } from '../tests/e2e/harness.js';
import * as journey from '../tests/e2e/journey.js';

const OUT = join(ROOT, 'docs/screenshots');
const DEVICES = {
  desktop: { viewport: { width: 1280, height: 800 } },
  phone: { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true },
};
/** Photos per class: enough for a realistic page, few enough for readable phone pages. */
const PER_CLASS = 12;

/** The classes to teach and an unseen photo to predict. */
function material() {
  if (existsSync(join(PHOTOS, 'gcompris/tools'))) {
    const { train, eval: held } = photoSplit('gcompris');
    return {
      classes: Object.entries(train).map(([name, files]) => ({ name, files: files.slice(0, PER_CLASS) })),
      unseen: held.tools[0],
    };
  }
  return { classes: journey.CLASSES, unseen: join(journey.FIXTURES, 'dog.png') };
}

async function main() {
  mkdirSync(OUT, { recursive: true });
  const { classes, unseen } = material();
  const server = await startServer();
  const browser = await launchChromium();
  try {
    for (const [device, options] of Object.entries(DEVICES)) {
      for (const colorScheme of ['light', 'dark']) {
        const shot = async (page, state) => {
          const path = join(OUT, `${state}-${device}-${colorScheme}.png`);
          // Nothing keeps the focus ring of the last control used, nor a caret.
          await page.evaluate(() => document.activeElement?.blur());
          await page.screenshot({ path, fullPage: true, caret: 'hide', animations: 'disabled' });
          console.log(path);
        };
        const page = await journey.openPage(browser, server.url, { ...options, colorScheme });
        await shot(page, 'ready');
        await journey.fillClasses(page, classes);
        await shot(page, 'classes');
        // A run shown mid-way: 200 epochs planned, 12 done, early stopping off.
        await journey.startLongTraining(page, { epochs: 200, shown: 12 });
        await shot(page, 'training');
        if ((await journey.state(page)) === 'training') await journey.stopTraining(page);
        else await page.waitForFunction(() => document.body.dataset.state === 'trained');
        // The default run (the last block fine-tuned on augmented views), then an unseen photo.
        await page.fill('input[name="epochs"]', '50');
        await page.fill('input[name="patience"]', '10');
        await journey.train(page);
        await journey.predictFile(page, unseen);
        await page.locator('#training-form details summary').click(); // folded, as it starts
        await shot(page, 'trained');
        await page.context().close();

        const broken = await journey.openPage(browser, server.url, { ...options, colorScheme, broken: true });
        await shot(broken, 'error');
        await broken.context().close();
      }
    }
  } finally {
    await browser.close();
    await server.stop();
  }
}

await main();
