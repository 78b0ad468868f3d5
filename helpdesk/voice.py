"""Voice notes: check a recording with FFmpeg (PyAV), convert it to Opus in Ogg, store it.

Phones send what their recorder makes: WebM/Opus (Chrome, Android), MP4/AAC
(Safari, iPhone), Ogg/Opus (Firefox), sometimes MP3 or WAV from a file picker.
Officers' browsers all play one thing: mono Opus at ~24 kbit/s in Ogg, about
180 KB for the longest note allowed. Only decoded samples go into the new
file, and the muxer is told to write no tags, so the sender's device, name or
place in the upload's metadata never reaches storage.

Every recording is decoded to its end before it is accepted: garbage and files
cut short fail here, not in an officer's browser. The decoded length is what
counts (MediaRecorder's WebM declares no duration at all); a header that
declares much more than could be decoded is a file cut short.
"""

from __future__ import annotations

import hashlib
import io
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from fractions import Fraction
from typing import Final

import av
from av.audio.resampler import AudioResampler
from av.container import InputContainer
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import Storage, default_storage
from django.utils import timezone

from core.media_outage import media_outage_refused
from helpdesk.voice_errors import AudioRejected, AudioTooLarge, AudioTooLong, AudioTooShort

# Where voice notes are written (helpdesk/photo_sweep.py sweeps it too).
VOICE_PREFIX: Final = "voice/"
CONTENT_TYPE: Final = "audio/ogg"
MIN_SECONDS: Final = 0.3
# Opus works at 48 kHz inside; mono speech at 24 kbit/s is clear on a phone.
RATE: Final = 48_000
BIT_RATE: Final = 24_000
# Tolerance between the length a header declares and what was decoded:
# encoders pad and round; a file cut short misses far more.
_TRUNCATION_SLACK_SECONDS: Final = 0.5
_TRUNCATION_SLACK_RATIO: Final = 0.1


@dataclass(frozen=True)
class ProcessedVoice:
    name: str
    duration_ms: int
    sha256: str


def max_bytes() -> int:
    return int(settings.VOICE_MAX_BYTES)


def max_seconds() -> int:
    return int(settings.VOICE_MAX_SECONDS)


@media_outage_refused()
def voice_process(*, data: bytes, storage: Storage | None = None) -> ProcessedVoice:
    """Check ``data``, store its Opus copy, and return its name in storage.

    Nothing is written unless the recording is accepted.
    """
    storage = storage or default_storage
    limit = max_bytes()
    if len(data) > limit:
        raise AudioTooLarge(max_bytes=limit, size=len(data))
    if not data:
        raise AudioRejected()
    encoded, duration = _transcode(data, max_seconds=max_seconds())
    name = storage.save(
        f"{VOICE_PREFIX}{timezone.now():%Y/%m}/{uuid.uuid4().hex}.ogg", ContentFile(encoded)
    )
    return ProcessedVoice(
        name=name,
        duration_ms=round(duration * 1000),
        sha256=hashlib.sha256(data).hexdigest(),
    )


def _transcode(raw: bytes, *, max_seconds: int) -> tuple[bytes, float]:
    """Decode ``raw`` whole and return (the Ogg/Opus bytes, the decoded seconds)."""
    try:
        source = av.open(io.BytesIO(raw), mode="r")
    except (av.FFmpegError, ValueError, EOFError, UnicodeDecodeError) as error:
        raise AudioRejected() from error
    with source:
        audio = [s for s in source.streams if s.type == "audio"]
        # One voice: a file with several audio tracks is not a recording from a phone.
        if len(audio) != 1:
            raise AudioRejected(details={"audio_streams": len(audio)})
        declared = source.duration / av.time_base if source.duration else None
        if declared is not None and declared > max_seconds + 1:
            raise AudioTooLong(max_seconds=max_seconds, seconds=declared)
        out = io.BytesIO()
        samples = 0
        try:
            samples = _encode(source, out, max_samples=max_seconds * RATE)
        except (av.FFmpegError, ValueError, EOFError) as error:
            raise AudioRejected() from error
    seconds = samples / RATE
    if seconds > max_seconds:
        raise AudioTooLong(max_seconds=max_seconds, seconds=seconds)
    if seconds < MIN_SECONDS:
        raise AudioTooShort(details={"seconds": round(seconds, 2)})
    if declared is not None and seconds < declared - max(
        _TRUNCATION_SLACK_SECONDS, declared * _TRUNCATION_SLACK_RATIO
    ):
        raise AudioRejected(details={"declared": round(declared, 2), "decoded": seconds})
    return out.getvalue(), seconds


def _encode(source: InputContainer, out: io.BytesIO, *, max_samples: int) -> int:
    """Write the first audio stream of ``source`` to ``out`` as mono Opus in Ogg.

    Returns the samples written (at RATE); stops early, past ``max_samples``,
    so a long recording is not encoded to the end only to be refused.
    """
    # bitexact: no "encoder" tag, no Lavf vendor version in the Opus header.
    with av.open(out, mode="w", format="ogg", container_options={"fflags": "+bitexact"}) as target:
        stream = target.add_stream("libopus", rate=RATE, layout="mono")
        stream.bit_rate = BIT_RATE
        stream.codec_context.flags |= av.codec.context.Flags.bitexact
        # Constrained VBR: near the target whatever the sound (plain VBR spent
        # ~39 kbit/s on a test tone), still better than constant rate on speech.
        stream.options = {"application": "voip", "vbr": "constrained"}
        resampler = AudioResampler(format="s16", layout="mono", rate=RATE)
        samples = 0
        for frame in _decoded(source):
            for mono in resampler.resample(frame):
                mono.pts = samples
                mono.time_base = Fraction(1, RATE)
                samples += mono.samples
                if samples > max_samples:
                    return samples
                for packet in stream.encode(mono):
                    target.mux(packet)
        for mono in resampler.resample(None):
            mono.pts = samples
            mono.time_base = Fraction(1, RATE)
            samples += mono.samples
            for packet in stream.encode(mono):
                target.mux(packet)
        for packet in stream.encode(None):
            target.mux(packet)
    return samples


def _decoded(source: InputContainer) -> Iterator[av.AudioFrame]:
    stream = source.streams.audio[0]
    for packet in source.demux(stream):
        yield from packet.decode()
