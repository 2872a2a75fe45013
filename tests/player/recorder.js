// What both player pages (hls.html, dash.html) share: a log of what happens, in
// window.playerLog, and snapshots of the video element, for drive.js to read. It judges
// nothing itself: test_player.py does.
//
// A page loads this first, then sets window.player, its adapter to the player library:
//   { name, version, supported,     // supported: Media Source Extensions are there
//     seek(seconds),
//     currentLevel(), setLevel(i),  // video levels as listed in MANIFEST_PARSED
//     audioTracks(), audioTrack(), setAudioTrack(i) }  // optional: audio renditions
// and logs the player's events in the shape test_player.py reads: MANIFEST_PARSED
// ({levels: [{height, width, bitrate, codecs}], audioTracks}), LEVEL_SWITCHED ({level}),
// AUDIO_TRACK_SWITCHED ({id}),
// FRAG_LOADED and FRAG_BUFFERED ({fragType: 'main'|'audio', level, sn, start, duration}),
// ERROR ({fatal, details, ...}).

'use strict';

const video = document.getElementById('video');
const startedAt = performance.now();

// Every entry has the wall time (ms since load) and the playhead, so the test can tell what
// happened in which order and where.
window.playerLog = [];
window.log = (type, fields) => {
  window.playerLog.push({
    type,
    ms: Math.round(performance.now() - startedAt),
    currentTime: video.currentTime,
    videoHeight: video.videoHeight,
    ...fields,
  });
};
// Marks the start of one of drive.js's steps, with what was buffered then: a seek is meant to
// land outside it, so the player has to fetch the fragments there.
window.logStep = (name, fields) => {
  const buffered = [];
  for (let i = 0; i < video.buffered.length; i++) {
    buffered.push([video.buffered.start(i), video.buffered.end(i)]);
  }
  log('step', { name, buffered, ...fields });
};

// Whether an event of `type` was logged since the last step began.
window.loggedSinceStep = type => window.playerLog
  .slice(window.playerLog.findLastIndex(e => e.type === 'step'))
  .some(e => e.type === type);

// A snapshot of the element, taken by drive.js while it waits.
window.sample = () => {
  const quality = video.getVideoPlaybackQuality();
  return {
    currentTime: video.currentTime,
    duration: video.duration,
    paused: video.paused,
    ended: video.ended,
    seeking: video.seeking,
    readyState: video.readyState,
    videoHeight: video.videoHeight,
    decodedFrames: quality.totalVideoFrames,
    droppedFrames: quality.droppedVideoFrames,
    // Chromium-only counter: proves that audio samples were decoded, not just downloaded.
    audioDecodedBytes: video.webkitAudioDecodedByteCount,
    currentLevel: window.player.currentLevel(),
    mediaError: video.error ? { code: video.error.code, message: video.error.message } : null,
  };
};

for (const name of ['playing', 'waiting', 'seeking', 'seeked', 'ended', 'pause',
                    'resize', 'timeupdate', 'error']) {
  video.addEventListener(name, () => log('video:' + name, name === 'error' && video.error
    ? { code: video.error.code, message: video.error.message } : {}));
}

// The presentation to play: ?src=<master playlist or MPD URL>.
window.sourceUrl = new URLSearchParams(location.search).get('src');
