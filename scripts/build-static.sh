#!/usr/bin/env bash
# Builds build-static/vodctl: one fully static x86-64 Linux binary (`ldd` says "not a dynamic
# executable") that needs no file of the host at run time but, for HTTPS, a CA bundle.
#
#   FFmpeg  Debian's own source package (`apt-get source`, the version of the installed
#           libavcodec-dev, so its output is byte-identical to the dynamic build's), configured
#           with only the formats and codecs vodctl uses; libx264 is Debian's libx264.a.
#   libcurl Debian's own source package (the installed libcurl4-openssl-dev's version), HTTP(S)
#           only, OpenSSL (Debian's libssl.a) and c-ares, so names are resolved without
#           glibc's NSS modules.
#   SQLite, pugixml, zlib: Debian's static libraries; fmt header-only.
#
# Everything downloaded and built is kept in $VODCTL_STATIC_CACHE (default .cache/static in the
# repository): a second run rebuilds only vodctl. Source packages come through a private apt
# source list and lists folder (deb-src entries derived from the system's), so the system's
# apt configuration is not changed. Run as root on Debian 12 (it installs missing packages).
#
# usage: scripts/build-static.sh            prints the binary's path on stdout
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
cache=$(realpath -m "${VODCTL_STATIC_CACHE:-$repo/.cache/static}")
prefix=$cache/prefix
build_dir=$repo/build-static
jobs=$(( $(nproc) < 2 ? $(nproc) : 2 ))
log() { echo "build-static: $*" >&2; }

# --- Packages --------------------------------------------------------------------------------
bash scripts/install-deps.sh >&2
packages=(nasm libc-ares-dev zlib1g-dev libssl-dev libsqlite3-dev libpugixml-dev libx264-dev
          libzimg-dev dpkg-dev file)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  log "installing ${missing[*]}"
  apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
fi

# The source versions are those of the libraries the dynamic build links.
version_of() { dpkg-query -W -f='${Version}' "$1"; }
ffmpeg_version=$(version_of libavcodec-dev)
curl_version=$(version_of libcurl4-openssl-dev)
x264_version=$(version_of libx264-dev)

# --- Debian source packages through a private apt configuration ------------------------------
apt_dir=$cache/apt
apt_options=(-o "Dir::Etc::SourceList=$apt_dir/sources/debian-src.sources"
             -o "Dir::Etc::SourceParts=-"
             -o "Dir::State::Lists=$apt_dir/lists"
             -o "Dir::Cache=$apt_dir/cache"
             -o "APT::Sandbox::User=root")

fetch_source() {  # package version -> prints the unpacked folder
  local package=$1 version=$2 upstream folder
  upstream=${version#*:}
  upstream=${upstream%-*}
  folder=$cache/src/$package-${version//:/_}  # no colon: make takes it for a rule
  if [ ! -f "$folder/.unpacked" ]; then
    if [ ! -f "$apt_dir/lists/.updated" ]; then
      mkdir -p "$apt_dir/sources" "$apt_dir/lists/partial" "$apt_dir/cache/archives/partial"
      # The system's deb822 entries, as deb-src.
      sed 's/^Types:.*/Types: deb-src/' /etc/apt/sources.list.d/debian.sources \
        > "$apt_dir/sources/debian-src.sources"
      log "apt-get update (private lists in $apt_dir)"
      apt-get "${apt_options[@]}" update -qq >&2
      touch "$apt_dir/lists/.updated"
    fi
    rm -rf "$folder" "$cache/src/dl-$package"
    mkdir -p "$cache/src/dl-$package"
    log "apt-get source $package=$version"
    ( cd "$cache/src/dl-$package" &&
      apt-get "${apt_options[@]}" source -qq "$package=$version" >&2 )
    mv "$cache/src/dl-$package/$package-$upstream" "$folder"
    rm -rf "$cache/src/dl-$package"
    touch "$folder/.unpacked"
  fi
  echo "$folder"
}

# A stamp records what a library was built from and how; a change rebuilds it.
stamp_matches() { [ -f "$1" ] && [ "$(cat "$1")" = "$2" ]; }

# configure_once WORK STAMP NAME SRC ARGS...: runs SRC/configure ARGS in a fresh WORK unless
# WORK was configured with the same STAMP (an interrupted build then goes on where it stopped).
configure_once() {
  local work=$1 stamp=$2 name=$3 src=$4
  shift 4
  stamp_matches "$work/.configured" "$stamp" && return 0
  rm -rf "$work" && mkdir -p "$work" "$prefix"
  log "configuring $name"
  ( cd "$work" && nice -n 10 "$src/configure" "$@" > configure.log 2>&1 ) ||
    { tail -n 30 "$work/configure.log" "$work/ffbuild/config.log" 2>/dev/null >&2; exit 1; }
  echo "$stamp" > "$work/.configured"
}

# --- FFmpeg ----------------------------------------------------------------------------------
# What vodctl reads (sources people upload, its own NUT intermediates), writes (NUT, fMP4,
# MPEG-TS) and uses in between. No playlist-style demuxers (hls, concat, image2): a source
# must not make vodctl open other files. No protocols: vodctl gives libavformat its own I/O.
ffmpeg_demuxers=(mov matroska mpegts avi flv nut mp3 aac wav ogg m4v h264 hevc mpegps)
ffmpeg_decoders=(h264 hevc vp8 vp9 mpeg1video mpeg2video mpeg4 mjpeg prores
                 aac aac_latm mp3 mp3float mp2 mp2float opus vorbis flac ac3 ac3_fixed eac3 alac
                 pcm_s16le pcm_s24le pcm_s32le pcm_f32le pcm_s16be)
ffmpeg_encoders=(libx264 aac mjpeg)
ffmpeg_muxers=(nut matroska mp4 mov mpegts webvtt null)  # matroska: audio copies NUT cannot hold
ffmpeg_parsers=(h264 hevc aac aac_latm mpegaudio vp8 vp9 av1 opus vorbis flac ac3 mpegvideo
                mpeg4video mjpeg)
ffmpeg_bsfs=(h264_mp4toannexb hevc_mp4toannexb aac_adtstoasc extract_extradata
             vp9_superframe vp9_superframe_split null)
ffmpeg_filters=(buffer buffersink abuffer abuffersink format aformat scale aresample bwdif yadif
                transpose hflip vflip setsar null anull
                zscale tonemap  # the colour stage (src/media/colour.cc), through libzimg
                ebur128 volume alimiter)  # loudness: measured, gained, limited (pipeline/loudness.cc)
join() { local IFS=,; echo "$*"; }
ffmpeg_configure=(
  --prefix="$prefix" --pkg-config-flags=--static --enable-static --disable-shared
  --disable-programs --disable-doc --disable-debug --disable-network --disable-avdevice
  --disable-postproc
  --disable-everything --disable-autodetect --enable-pthreads --enable-zlib --disable-iconv
  --enable-gpl --enable-libx264 --enable-libzimg
  --enable-demuxer="$(join "${ffmpeg_demuxers[@]}")"
  --enable-decoder="$(join "${ffmpeg_decoders[@]}")"
  --enable-encoder="$(join "${ffmpeg_encoders[@]}")"
  --enable-muxer="$(join "${ffmpeg_muxers[@]}")"
  --enable-parser="$(join "${ffmpeg_parsers[@]}")"
  --enable-bsf="$(join "${ffmpeg_bsfs[@]}")"
  --enable-filter="$(join "${ffmpeg_filters[@]}")"
)
ffmpeg_stamp="ffmpeg $ffmpeg_version x264 $x264_version ${ffmpeg_configure[*]}"
if ! stamp_matches "$prefix/.ffmpeg-stamp" "$ffmpeg_stamp"; then
  src=$(fetch_source ffmpeg "$ffmpeg_version")
  work=$cache/build/ffmpeg
  started=$SECONDS
  configure_once "$work" "$ffmpeg_stamp" "FFmpeg $ffmpeg_version" "$src" "${ffmpeg_configure[@]}"
  log "building FFmpeg (make -j$jobs)"
  ( cd "$work" && nice -n 10 make -j"$jobs" > make.log 2>&1 && make install > install.log 2>&1 ) ||
    { tail -n 30 "$work/make.log" >&2; exit 1; }
  echo "$ffmpeg_stamp" > "$prefix/.ffmpeg-stamp"
  log "FFmpeg built in $((SECONDS - started)) s"
fi

# --- libcurl ---------------------------------------------------------------------------------
curl_configure=(
  --prefix="$prefix" --enable-static --disable-shared --with-openssl --enable-ares --with-zlib
  --without-brotli --without-zstd --without-libpsl --without-libidn2 --without-nghttp2
  --without-nghttp3 --without-ngtcp2 --without-quiche --without-msh3 --without-librtmp
  --without-libssh2 --without-libssh --without-wolfssh --without-gssapi --without-libgsasl
  --disable-ldap --disable-ldaps --disable-rtsp --disable-dict --disable-telnet --disable-tftp
  --disable-pop3 --disable-imap --disable-smb --disable-smtp --disable-gopher --disable-mqtt
  --disable-ftp --disable-file --disable-netrc --disable-manual --disable-cookies
  --disable-alt-svc --disable-hsts --disable-ntlm --disable-kerberos-auth
  --disable-negotiate-auth --disable-websockets
)
curl_stamp="curl $curl_version ${curl_configure[*]}"
if ! stamp_matches "$prefix/.curl-stamp" "$curl_stamp"; then
  src=$(fetch_source curl "$curl_version")
  work=$cache/build/curl
  started=$SECONDS
  # Debian's patches rename the library in Makefile.am; the shipped configure and Makefile.in
  # still make libcurl.a. No autoreconf.
  configure_once "$work" "$curl_stamp" "libcurl $curl_version" "$src" "${curl_configure[@]}"
  log "building libcurl (make -j$jobs)"
  ( cd "$work" && nice -n 10 make -j"$jobs" -C lib > make.log 2>&1 &&
    make -C lib install > install.log 2>&1 && make -C include install >> install.log 2>&1 &&
    make install-pkgconfigDATA >> install.log 2>&1 ) ||
    { tail -n 30 "$work/make.log" "$work/install.log" >&2; exit 1; }
  echo "$curl_stamp" > "$prefix/.curl-stamp"
  log "libcurl built in $((SECONDS - started)) s"
fi

# --- vodctl ----------------------------------------------------------------------------------
log "building vodctl (static)"
cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=Release -DVODCTL_STATIC=ON \
  -DVODCTL_STATIC_PREFIX="$prefix" -DVODCTL_TESTS=OFF >&2
nice -n 10 cmake --build "$build_dir" -j "$jobs" >&2
binary=$build_dir/vodctl
file "$binary" | grep -q "statically linked" ||
  { file "$binary" >&2; log "$binary is not statically linked"; exit 1; }
if ldd "$binary" >/dev/null 2>&1; then
  ldd "$binary" >&2; log "$binary has dynamic dependencies"; exit 1
fi
strip -o "$build_dir/vodctl.stripped" "$binary"
log "$binary: $(stat -c %s "$binary") bytes, $(stat -c %s "$build_dir/vodctl.stripped") stripped"
echo "$binary"
