#!/usr/bin/env node
// Plays an HLS or DASH presentation in headless Chromium with hls.js (hls.html) or dash.js
// (dash.html), both driven the same way through the page's window.player, and prints on
// stdout one JSON object: what was done when (steps), everything the page recorded (log),
// and the browser's console and page errors. It judges nothing: test_player.py does. A step
// whose condition is not met in time ends the scenario, marked "ok": false, so the report
// still says how far playback got.
//
// Usage: node drive.js PAGE_URL SEGMENT_DURATION
//   PAGE_URL: hls.html?src=<master playlist URL> or dash.html?src=<MPD URL>, served from
//   127.0.0.1

'use strict';

const { chromium } = require('playwright-core');

const CHROMIUM = process.env.VODCTL_CHROMIUM || '/usr/bin/chromium';
const [pageUrl, segmentDurationArg] = process.argv.slice(2);
if (!pageUrl || !segmentDurationArg) {
  console.error('usage: node drive.js PAGE_URL SEGMENT_DURATION');
  process.exit(2);
}
const segmentDuration = Number(segmentDurationArg);

// Content plays in real time, so each wait is a few times the media time it waits for.
const STEP_TIMEOUT_MS = 15000;

async function main() {
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',  // containers running as root have no user namespace for the sandbox
      '--autoplay-policy=no-user-gesture-required',  // play() with sound, without a click
      '--mute-audio',  // audio is still decoded, just not sent to a device
    ],
  });
  const report = { browser: browser.version(), steps: [], console: [], pageErrors: [] };
  try {
    const page = await browser.newPage();
    page.on('console', msg => report.console.push(`${msg.type()}: ${msg.text()}`));
    page.on('pageerror', err => report.pageErrors.push(String(err)));
    await page.goto(pageUrl);

    // Runs one step: `action` in the page, then waits for `condition` (a page function of
    // its argument) to hold. Returns false when it did not in time.
    async function step(name, action, condition, arg = {}) {
      const begin = Date.now();
      await page.evaluate(([n, a]) => window.logStep(n, a), [name, arg]);
      let ok = true;
      let actionError = null;
      try {
        if (action) {
          actionError = await page.evaluate(action, arg);
        }
        await page.waitForFunction(condition, arg, { timeout: STEP_TIMEOUT_MS, polling: 100 });
      } catch (err) {
        if (!(err instanceof Error && err.name === 'TimeoutError')) throw err;
        ok = false;
      }
      report.steps.push({ name, arg, ok, actionError: actionError || null, ms: Date.now() - begin,
                          sample: await page.evaluate(() => window.sample()) });
      return ok;
    }

    const run = async () => {
      if (!await step('manifest', null,
                      () => window.playerLog.some(e => e.type === 'MANIFEST_PARSED'))) return;
      const levels = await page.evaluate(
        () => window.playerLog.find(e => e.type === 'MANIFEST_PARSED').levels);
      // Whether this Chromium's Media Source Extensions take each variant's codecs at all:
      // if not, nothing below can play, and this says why.
      report.typeSupport = await page.evaluate(ls => Object.fromEntries(ls.map(l => {
        const type = `video/mp4; codecs="${l.codecs}"`;
        return [type, MediaSource.isTypeSupported(type)];
      })), levels);

      // play() resolves once playback starts, or rejects (autoplay refused, no codec): the
      // rejection is reported as the step's actionError.
      const play = () => document.getElementById('video').play().then(
        () => null, err => String(err));
      if (!await step('start', play,
                      () => document.getElementById('video').currentTime >= 1)) return;

      const duration = await page.evaluate(() => document.getElementById('video').duration);
      const seekTo = a => { window.player.seek(a.target); };
      // Middle, beyond what is buffered: the seek completes and playback goes on from there.
      if (!await step('seek-middle', seekTo, a => window.loggedSinceStep('video:seeked') &&
                      document.getElementById('video').currentTime >= a.target + 0.5,
                      { target: duration / 2 })) return;
      // Near the end: playback goes on to the end.
      if (!await step('seek-end', seekTo, () => window.loggedSinceStep('video:ended'),
                      { target: duration - 1.5 })) return;

      // From the start again, to switch levels and to play several segments without a seek.
      if (!await step('replay', a => {
        const video = document.getElementById('video');
        window.player.seek(a.target);
        return video.play().then(() => null, err => String(err));
      }, () => window.loggedSinceStep('video:seeked') &&
         document.getElementById('video').currentTime >= 1, { target: 0 })) return;

      // Forced switch to every level, mid-playback: the level's frames are on screen and
      // the playhead moves on by a second after the switch. The level playing now comes
      // last, so that every switch really changes level.
      const current = await page.evaluate(() => window.player.currentLevel());
      const order = [...levels.keys()].filter(l => l !== current);
      if (current >= 0) order.push(current);
      for (const level of order) {
        const arg = { level, height: levels[level].height };
        const ok = await step('switch', a => { window.player.setLevel(a.level); }, a => {
          const log = window.playerLog;
          const switched = log.slice(log.findLastIndex(e => e.type === 'step')).find(
            e => e.type === 'LEVEL_SWITCHED' && e.level === a.level);
          const video = document.getElementById('video');
          return switched !== undefined && video.videoHeight === a.height &&
                 video.currentTime >= switched.currentTime + 1;
        }, arg);
        if (!ok) return;
      }

      // Several segments played since the replay, without a seek.
      if (!await step('several-segments', null,
                      a => document.getElementById('video').currentTime >= a.until,
                      { until: 3 * segmentDuration + 0.5 })) return;

      // Every audio rendition in turn, the one playing now last (pages whose adapter has
      // them): each is switched to, an audio fragment of it buffered, and the playhead moves
      // on by a second.
      const tracks = await page.evaluate(
        () => (window.player.audioTracks ? window.player.audioTracks() : 0));
      if (tracks > 1) {
        const playing = await page.evaluate(() => window.player.audioTrack());
        const audioOrder = [...Array(tracks).keys()].filter(t => t !== playing);
        audioOrder.push(playing);
        for (const id of audioOrder) {
          const ok = await step('audio-switch', a => { window.player.setAudioTrack(a.id); }, a => {
            const log = window.playerLog;
            const since = log.slice(log.findLastIndex(e => e.type === 'step'));
            const switched = since.find(e => e.type === 'AUDIO_TRACK_SWITCHED' && e.id === a.id);
            return switched !== undefined &&
                   since.some(e => e.type === 'FRAG_BUFFERED' && e.fragType === 'audio' &&
                              e.level === a.id) &&
                   document.getElementById('video').currentTime >= switched.currentTime + 1;
          }, { id });
          if (!ok) return;
        }
      }
    };
    await run();
    Object.assign(report, await page.evaluate(() => ({
      player: { name: window.player.name, version: window.player.version,
                supported: window.player.supported },
      log: window.playerLog, final: window.sample() })));
  } finally {
    await browser.close();
  }
  process.stdout.write(JSON.stringify(report) + '\n');
}

main().catch(err => {
  console.error(err && err.stack ? err.stack : String(err));
  process.exit(1);
});
