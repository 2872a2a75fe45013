// The steps of a job. Each can run in its own process, on any host that reaches the job's
// storage; each records its progress in the state store only after its artefacts are stored.
#pragma once

#include "pipeline/job_context.h"

#include <functional>

namespace vodctl {

// Probes the source, cuts its first video stream at key frames into chunks and copies every
// audio stream, whole, beside them (stream copy both). A source may lack one or the other. Error(kDataError) for a bad
// source.
void RunSplit(JobContext& context);

// Whether the job has audio that EncodeAudio has not encoded yet.
bool AudioPending(const JobContext& context);
// Encodes the audio split copied, whole, to AAC (audio.nut, a stream per track) and records it in the job's result
// as "audio". Runs beside the chunks in `run`, or at the start of concat otherwise.
void EncodeAudio(JobContext& context);

// Decodes one chunk once and encodes every rendition of it. Error(kDataError) when the chunk
// does not decode to the frames split counted.
// `before_storing` runs just before the chunk's files are stored in tmp; what it throws leaves
// them unstored (a worker that lost its lease).
nlohmann::json TranscodeChunk(JobContext& context, const ChunkRecord& chunk,
                              const std::function<void()>& before_storing = [] {});

// Joins each rendition's chunks, by stream copy, into one file per rendition.
void RunConcat(JobContext& context);

// Writes the HLS presentation to the output: segments, media playlists, master last.
void RunSegment(JobContext& context);

}  // namespace vodctl
