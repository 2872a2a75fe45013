#!/usr/bin/env python3
"""vodctl against the ffmpeg command line on the same job and machine (scripts/bench.sh runs
this; see there for usage).

Every measured command is printed before its figures, so anyone can rerun it. Runs are
interleaved (ffmpeg, vodctl, ffmpeg, vodctl, ...) so that a machine getting busier or cooler
during the benchmark weighs on both alike; each figure is the median over the pairs.

Content classes (--content, default all), each a 1080p30 H.264 + AAC source made once by
ffmpeg's lavfi sources and kept, each measured by single and ladder:
  detail        testsrc2 with fine temporal noise (the source of the README's first table)
  noisy         testsrc2 with heavier noise, encoded at CRF 18: a high bit rate to decode
  flat          flat colours and hard edges moving over a plain field, as in animation
  talking-head  a still, detailed background and one small moving region: low motion
  fast-pan      a fast pan over a noisy 4K testsrc2: fast motion over fine detail

Cases:
  single   1080p30 source -> one 720p rendition, libx264 veryfast, same CRF, rate cap, GOP,
           segment length and audio on both sides
  ladder   the default 4-rung ladder (1080p/720p/480p/360p) against ffmpeg's best one-shot
           command: one decode, a split filter, four encoders, one HLS muxer
  steps    vodctl's split, concat and segment steps as a share of a whole `vodctl run`
  s3       a 500 MB object up and down through vodctl's S3 storage and through curl, on the
           same local S3 server
"""

import argparse
import hashlib
import os
import shlex
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)

SEGMENT_SECONDS = 6  # vodctl's default
GOP_FRAMES = 180     # one IDR per segment at 30 fps, as vodctl forces
CRF = 23             # vodctl's default
PRESET = "veryfast"  # vodctl's default
# vodctl's default ladder: height, width, maxrate (kbit/s); bufsize is twice the maxrate.
LADDER = [(1080, 1920, 5000), (720, 1280, 3000), (480, 854, 1500), (360, 640, 800)]


def log(text=""):
    print(text, flush=True)


def measure(argv, env=None):
    """Runs argv to the end; returns (wall s, CPU s of it and its threads, peak RSS MiB)."""
    started = time.monotonic()
    process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.monotonic() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    stderr = process.stderr.read().decode(errors="replace")
    process.stderr.close()
    if process.returncode != 0:
        sys.exit(f"bench: {shlex.join(argv)} exited {process.returncode}:\n{stderr}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def file_digest(path):
    """SHA-256 of a file read in pieces: this process must stay small, as its children start
    as copies of it and their peak RSS is measured."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while piece := f.read(1 << 20):
            digest.update(piece)
    return digest.hexdigest()


SIZE = "size=1920x1080:rate=30"
# name -> (lavfi graph of the picture, CRF of the source's encode).
CONTENT = {
    "detail": (f"testsrc2={SIZE},noise=alls=2:allf=t", 23),
    "noisy": (f"testsrc2={SIZE},noise=alls=3:allf=t", 18),
    "flat": (f"color=c=0x2a5d9f:{SIZE}[bg];color=c=0xf2c14e:size=360x360:rate=30[a];"
             "color=c=0xd1495b:size=200x500:rate=30[b];"
             "[bg][a]overlay=x='mod(t*420,1560)':y='360+240*sin(t*1.3)'[ab];"
             "[ab][b]overlay=x='1500-mod(t*260,1300)':y=200,drawgrid=w=240:h=240:t=4:c=0x1b3b66",
             23),
    # One noisy frame held still (trim + loop), a moving testsrc2 where the face would be.
    "talking-head": (f"gradients={SIZE}:seed=7,noise=alls=6,trim=end_frame=1,"
                     "loop=loop=-1:size=1[bg];testsrc2=size=480x600:rate=30[head];"
                     "[bg][head]overlay=x='720+12*sin(t*1.1)':y='240+8*sin(t*0.7)'", 23),
    "fast-pan": ("testsrc2=size=3840x2160:rate=30,noise=alls=2:allf=t,"
                 "crop=1920:1080:x='960+940*sin(t*2.1)':y='540+530*cos(t*1.7)'", 23),
}


def make_source(media_dir, seconds, content):
    """A 1080p30 H.264 + AAC clip of one content class, made once and kept (test media)."""
    picture, crf = CONTENT[content]
    path = os.path.join(media_dir, f"bench-{content}-1080p30-{seconds}s.mp4")
    if not os.path.exists(path):
        os.makedirs(media_dir, exist_ok=True)
        log(f"making the source {path} ...")
        partial = path + ".part.mp4"
        subprocess.run(
            ["ffmpeg", "-v", "error", "-y",
             "-f", "lavfi", "-i", picture,
             "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000:beep_factor=4",
             "-t", str(seconds), "-c:v", "libx264", "-preset", "veryfast", "-crf", str(crf),
             "-g", "60", "-pix_fmt", "yuv420p", "-c:a", "aac", "-b:a", "128k", "-ac", "2",
             partial], check=True)
        os.rename(partial, path)
    return path


def cpu_description():
    """The CPU's model and the widest SIMD level x264 and FFmpeg can use on it: their code
    paths, and so the speed and (for x264's AVX-512) the bytes, differ between levels."""
    model, flags = "unknown CPU", set()
    with open("/proc/cpuinfo") as f:
        for line in f:
            key, _, value = line.partition(":")
            if key.strip() == "model name" and model == "unknown CPU":
                model = value.strip()
            elif key.strip() == "flags" and not flags:
                flags = set(value.split())
    level = next((name for flag, name in (("avx512bw", "AVX-512"), ("avx2", "AVX2"),
                                          ("avx", "AVX"), ("sse4_2", "SSE4.2"))
                  if flag in flags), "below SSE4.2")
    return f"{model}, {level}"


def x264_options(index, maxrate):
    suffix = f":{index}" if index is not None else ""
    return [f"-c:v{suffix}", "libx264", f"-preset{suffix}", PRESET, f"-crf{suffix}", str(CRF),
            f"-maxrate{suffix}", f"{maxrate}k", f"-bufsize{suffix}", f"{2 * maxrate}k",
            f"-g{suffix}", str(GOP_FRAMES), f"-forced-idr{suffix}", "1",
            f"-force_key_frames{suffix}", f"expr:gte(t,n_forced*{SEGMENT_SECONDS})"]


AUDIO = ["-c:a", "aac", "-b:a", "128k", "-ar", "48000", "-ac", "2"]


def hls_options(folder, variant_pattern=False):
    name = "%v/" if variant_pattern else ""
    return ["-f", "hls", "-hls_time", str(SEGMENT_SECONDS), "-hls_playlist_type", "vod",
            "-hls_segment_type", "fmp4", "-hls_segment_filename",
            os.path.join(folder, f"{name}seg_%05d.m4s"), os.path.join(folder, f"{name}index.m3u8")]


def ffmpeg_single(source, folder):
    return (["ffmpeg", "-v", "error", "-y", "-i", source, "-map", "0:v:0", "-map", "0:a:0",
             "-vf", "scale=1280:720"] + x264_options(None, 3000) + AUDIO + hls_options(folder))


def ffmpeg_ladder(source, folder):
    outputs = "".join(f"[v{i}]" for i in range(len(LADDER)))
    graph = f"[0:v]split={len(LADDER)}{outputs};" + ";".join(
        f"[v{i}]scale={width}:{height}[o{i}]" for i, (height, width, _) in enumerate(LADDER))
    argv = ["ffmpeg", "-v", "error", "-y", "-i", source, "-filter_complex", graph]
    for i in range(len(LADDER)):
        argv += ["-map", f"[o{i}]"]
    argv += ["-map", "0:a:0"]
    for i, (_, _, maxrate) in enumerate(LADDER):
        argv += x264_options(i, maxrate)
    stream_map = " ".join(f"v:{i},agroup:aud" for i in range(len(LADDER))) + " a:0,agroup:aud"
    return (argv + AUDIO + ["-var_stream_map", stream_map, "-master_pl_name", "master.m3u8"] +
            hls_options(folder, variant_pattern=True))


def vodctl_run(vodctl, source, folder, ladder):
    options = ["--ladder", ladder] if ladder else []
    return [vodctl, "-q", "--state", os.path.join(folder, "state.db"), "run", source,
            os.path.join(folder, "out"), "--tmp", os.path.join(folder, "tmp"),
            "--preset", PRESET, "--crf", str(CRF), "--segment-duration", str(SEGMENT_SECONDS),
            *options]


def fresh(folder):
    shutil.rmtree(folder, ignore_errors=True)
    os.makedirs(folder)
    return folder


def report(name, command, runs):
    walls, cpus, rsss = zip(*runs)
    figures = (statistics.median(walls), statistics.median(cpus), statistics.median(rsss))
    log(f"  {name}: median of {len(runs)}: {figures[0]:.2f} s wall, {figures[1]:.2f} s CPU, "
        f"{figures[2]:.0f} MiB peak RSS  (walls: {', '.join(f'{w:.2f}' for w in walls)})")
    log(f"    $ {shlex.join(command)}")
    return figures


def compare(case, reference_name, reference, vodctl_command_for, pairs, work):
    """Interleaves the reference command and vodctl `pairs` times; prints medians and ratios."""
    reference_runs, vodctl_runs = [], []
    for pair in range(pairs):
        folder = fresh(os.path.join(work, case.replace(" ", "-"), "ffmpeg"))
        command = reference(folder)
        reference_runs.append(measure(command))
        vodctl_folder = fresh(os.path.join(work, case.replace(" ", "-"), "vodctl"))
        vodctl_command = vodctl_command_for(vodctl_folder)
        vodctl_runs.append(measure(vodctl_command))
        log(f"  pair {pair + 1}: {reference_name} {reference_runs[-1][0]:.2f} s, "
            f"vodctl {vodctl_runs[-1][0]:.2f} s")
    ref = report(reference_name, command, reference_runs)
    ours = report("vodctl", vodctl_command, vodctl_runs)
    log(f"  {case}: vodctl/{reference_name} wall {ours[0] / ref[0]:.3f}, "
        f"CPU {ours[1] / ref[1]:.3f}, peak RSS {ours[2] / ref[2]:.3f}  ({cpu_description()})")
    return ours[0] / ref[0], ours[1] / ref[1]


def case_single(args, source, work, content):
    log(f"single ({content}): 1080p30 -> 720p, libx264 veryfast, CRF 23, maxrate 3000k, "
        "6 s GOP and segments")
    compare(f"single {content}", "ffmpeg", lambda folder: ffmpeg_single(source, folder),
            lambda folder: vodctl_run(args.vodctl, source, folder, "720p"), args.pairs, work)


def case_ladder(args, source, work, content):
    log(f"ladder ({content}): 1080p30 -> 1080p/720p/480p/360p, one decode on both sides")
    compare(f"ladder {content}", "ffmpeg", lambda folder: ffmpeg_ladder(source, folder),
            lambda folder: vodctl_run(args.vodctl, source, folder, None), args.pairs, work)


def step_seconds(state_path, job):
    """How long split, concat and segment took inside a run, from the job's event log: split
    from the job's creation to its step-done event, concat from the last chunk done to its
    step-done, segment from there to its own."""
    with sqlite3.connect(state_path) as db:
        created = db.execute("SELECT created_at_ms FROM jobs WHERE id = ?", (job,)).fetchone()[0]
        done = {message: time_ms for time_ms, message in db.execute(
            "SELECT time_ms, message FROM events WHERE job_id = ? AND kind = 'step-done'", (job,))}
        last_chunk = db.execute("SELECT MAX(time_ms) FROM events WHERE job_id = ? AND "
                                "kind = 'chunk-done'", (job,)).fetchone()[0]
    return ((done["split"] - created) / 1000, (done["concat"] - last_chunk) / 1000,
            (done["segment"] - done["concat"]) / 1000)


def case_steps(args, source, work):
    log("steps: split + concat + segment inside `vodctl run` as a share of its wall time "
        "(1080p -> 720p)")
    shares = []
    for _ in range(args.pairs):
        folder = fresh(os.path.join(work, "steps"))
        command = vodctl_run(args.vodctl, source, folder, "720p") + ["--job", "bench"]
        run_wall = measure(command)[0]
        split, concat, segment = step_seconds(os.path.join(folder, "state.db"), "bench")
        share = (split + concat + segment) / run_wall
        shares.append(share)
        log(f"  run {run_wall:.2f} s; split {split:.2f} s, concat {concat:.2f} s, "
            f"segment {segment:.2f} s: {100 * share:.1f}% of the run")
    log(f"    $ {shlex.join(command)}")
    log("    (step times from the job's events in the state database: sqlite3 "
        f"{os.path.join(folder, 'state.db')} 'SELECT * FROM events')")
    log(f"  steps: split+concat+segment median share of run wall time: "
        f"{100 * statistics.median(shares):.1f}%")


def case_s3(args, work):
    log("s3: a 500 MB object up and down, vodctl's storage layer against curl, same server")
    server = os.path.join(work, "s3-server")
    port = args.s3_port
    started = subprocess.run(["bash", os.path.join(HERE, "s3-server.sh"), "start", server,
                              str(port)], check=True, capture_output=True, text=True)
    env = dict(os.environ)
    for line in started.stdout.splitlines():
        if line.startswith("export "):
            name, _, value = line[len("export "):].partition("=")
            env[name] = value
    try:
        endpoint = env["AWS_ENDPOINT_URL"]
        bucket = "bench"
        # curl's --aws-sigv4 cannot take Swift's "account:user" access key (--user splits at
        # the first colon), so curl gets URLs presigned by boto3 (Debian's python3-boto3).
        def presigned(method, key):
            code = ("import boto3, sys\n"
                    "from botocore.config import Config\n"
                    "c = boto3.client('s3', endpoint_url=sys.argv[1], region_name='us-east-1',"
                    " config=Config(signature_version='s3v4', s3={'addressing_style': 'path'}))\n"
                    "params = {'Bucket': sys.argv[3]}\n"
                    "if sys.argv[4]: params['Key'] = sys.argv[4]\n"
                    "print(c.generate_presigned_url(sys.argv[2], Params=params, ExpiresIn=3600))")
            return subprocess.run(["/usr/bin/python3", "-c", code, endpoint, method, bucket, key],
                                  env=env, check=True, capture_output=True,
                                  text=True).stdout.strip()
        curl = ["curl", "-sSf"]
        subprocess.run(curl + ["-X", "PUT", presigned("create_bucket", "")], check=True,
                       stdout=subprocess.DEVNULL)
        blob = os.path.join(work, "blob")
        with open(blob, "wb") as f:
            for _ in range(500):
                f.write(os.urandom(1 << 20))
        size_mb = os.path.getsize(blob) / 1e6
        digest = file_digest(blob)
        bench = args.storage_bench
        # Both clients download the same object, the one curl stored with a single PUT: Swift
        # serves a multipart upload as a manifest over segments, slower to read than one object,
        # which would measure the server's layout instead of the client.
        cases = {
            "upload": (lambda key: curl + ["-T", blob, presigned("put_object", key)],
                       lambda key: [bench, "put", blob, f"s3://{bucket}", key]),
            # What vodctl does over https (TLS vouches for the bytes), and what curl does here:
            # no payload hash for either client or the server to compute.
            "upload unsigned": (lambda key: curl + ["-T", blob, presigned("put_object", key)],
                                lambda key: ["env", "VODCTL_S3_PAYLOAD_SIGNING=never", bench,
                                             "put", blob, f"s3://{bucket}", key]),
            "download": (lambda key: curl + ["-o", os.path.join(work, "down"),
                                             presigned("get_object", "curl-0")],
                         lambda key: [bench, "get", f"s3://{bucket}", "curl-0",
                                      os.path.join(work, "down")]),
            "read in place": (lambda key: curl + ["-o", os.path.join(work, "down"),
                                                  presigned("get_object", "curl-0")],
                              lambda key: [bench, "read", f"s3://{bucket}", "curl-0",
                                           os.path.join(work, "down")]),
        }
        for direction, (curl_command, vodctl_command) in cases.items():
            curl_runs, vodctl_runs = [], []
            for pair in range(args.pairs):
                curl_runs.append(measure(curl_command(f"curl-{pair}"), env))
                vodctl_runs.append(measure(vodctl_command(f"vodctl-{pair}"), env))
                if not direction.startswith("upload"):
                    if file_digest(os.path.join(work, "down")) != digest:
                        sys.exit("bench: a download differs from the uploaded file")
            ref = report("curl", curl_command("curl-N"), curl_runs)
            ours = report("vodctl", vodctl_command("vodctl-N"), vodctl_runs)
            log(f"  s3 {direction}: curl {size_mb / ref[0]:.0f} MB/s, vodctl "
                f"{size_mb / ours[0]:.0f} MB/s; vodctl/curl throughput {ref[0] / ours[0]:.3f}, "
                f"peak RSS vodctl {ours[2]:.0f} MiB")
    finally:
        subprocess.run(["bash", os.path.join(HERE, "s3-server.sh"), "stop", server])


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("cases", nargs="*", default=["single", "ladder", "steps", "s3"])
    parser.add_argument("--pairs", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=60, help="source length")
    parser.add_argument("--vodctl", default=os.path.join(ROOT, "build", "vodctl"))
    parser.add_argument("--storage-bench",
                        default=os.path.join(ROOT, "build", "tests", "vodctl_storage_bench"))
    parser.add_argument("--media", default=os.path.join(tempfile.gettempdir(),
                                                        "vodctl-bench-media"))
    parser.add_argument("--s3-port", type=int, default=18480)
    parser.add_argument("--content", default=",".join(CONTENT),
                        help="comma-separated content classes for single and ladder "
                             f"(default: all of {', '.join(CONTENT)})")
    args = parser.parse_args()
    for case in args.cases:
        if case not in ("single", "ladder", "steps", "s3"):
            parser.error(f"unknown case '{case}'")
    contents = args.content.split(",")
    for content in contents:
        if content not in CONTENT:
            parser.error(f"unknown content class '{content}' (known: {', '.join(CONTENT)})")
    log(f"machine: {os.cpu_count()} cores, {cpu_description()}; vodctl {args.vodctl}; "
        f"{subprocess.run(['ffmpeg', '-version'], capture_output=True, text=True).stdout.splitlines()[0]}")
    work = tempfile.mkdtemp(prefix="vodctl-bench-")
    try:
        for case in args.cases:
            if case == "s3":
                log()
                case_s3(args, work)
            elif case == "steps":
                log()
                case_steps(args, make_source(args.media, args.seconds, "detail"), work)
            else:
                for content in contents:
                    source = make_source(args.media, args.seconds, content)
                    log()
                    log(f"source: {source} ({os.path.getsize(source) / 1e6:.0f} MB)")
                    globals()[f"case_{case}"](args, source, work, content)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
