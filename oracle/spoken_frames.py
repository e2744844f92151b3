"""Spoken-word input frames for microWakeWord models (test-only).

espeak-ng speaks TEXT (en-us, 140 words per minute) into a WAV, which is
resampled to 16 kHz, padded with silence before and after, and turned into
the model's int8 input frames by pymicro-features (the TFLite Micro audio
frontend that microWakeWord uses): one 40-value feature vector per 10 ms,
STRIDE vectors per model input.

Quantisation, as pymicro-wakeword does it: q = round(f / scale + zero_point)
with the model's input scale and zero point. pymicro-wakeword then casts to
uint8 without clamping (the bytes of an int8 value when q is in range); we
clamp to int8 and print how many values needed it, so that a mismatch with
microWakeWord would show.

Writes a stacked .npy of shape [N, 1, STRIDE, 40] (int8) and prints one
line: `frames=N clamped=C seconds=S`.
"""

import argparse
import subprocess
import sys
import tempfile
import wave
from pathlib import Path

import numpy as np
from pymicro_features import MicroFrontend

RATE = 16000
CHUNK = 160  # 10 ms at 16 kHz


def speak(text: str, wav: Path) -> np.ndarray:
    subprocess.run(
        ["espeak-ng", "-v", "en-us", "-s", "140", "-w", str(wav), text],
        check=True,
        capture_output=True,
    )
    with wave.open(str(wav), "rb") as w:
        if w.getnchannels() != 1 or w.getsampwidth() != 2:
            sys.exit(f"espeak-ng wrote {w.getnchannels()} channels of {w.getsampwidth()} bytes")
        rate = w.getframerate()
        audio = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2").astype(np.float64)
    return resample(audio, rate)


def resample(audio: np.ndarray, rate: int) -> np.ndarray:
    """Band-limited resampling to 16 kHz through the spectrum (exact for a
    periodic signal; the silence padding makes the wrap-around harmless)."""
    if rate == RATE:
        return audio
    n_out = int(round(len(audio) * RATE / rate))
    spectrum = np.fft.rfft(audio)
    keep = n_out // 2 + 1
    out_spectrum = np.zeros(keep, dtype=complex)
    m = min(keep, len(spectrum))
    out_spectrum[:m] = spectrum[:m]
    return np.fft.irfft(out_spectrum, n_out) * (n_out / len(audio))


def features(audio: np.ndarray) -> list:
    pcm = np.clip(np.round(audio), -32768, 32767).astype("<i2").tobytes()
    frontend = MicroFrontend()
    out = []
    at = 0
    step = CHUNK * 2
    while at + step <= len(pcm):
        result = frontend.process_samples(pcm[at : at + step])
        at += result.samples_read * 2
        if result.features:
            out.append(list(result.features))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--text", required=True)
    parser.add_argument("--scale", type=float, required=True)
    parser.add_argument("--zero-point", type=int, required=True)
    parser.add_argument("--stride", type=int, default=3)
    parser.add_argument("--before", type=float, default=0.5, help="seconds of silence before")
    parser.add_argument("--after", type=float, default=1.5, help="seconds of silence after")
    parser.add_argument("--out", required=True)
    parser.add_argument("--wav", help="also keep the 16 kHz WAV here")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        speech = speak(args.text, Path(tmp) / "speech.wav")
    audio = np.concatenate(
        [np.zeros(int(args.before * RATE)), speech, np.zeros(int(args.after * RATE))]
    )
    if args.wav:
        with wave.open(args.wav, "wb") as w:
            w.setnchannels(1)
            w.setsampwidth(2)
            w.setframerate(RATE)
            w.writeframes(np.clip(np.round(audio), -32768, 32767).astype("<i2").tobytes())

    vectors = np.array(features(audio), dtype=np.float64)
    usable = (len(vectors) // args.stride) * args.stride
    q = np.round(vectors[:usable] / args.scale + args.zero_point)
    clamped = int(np.count_nonzero((q < -128) | (q > 127)))
    frames = np.clip(q, -128, 127).astype(np.int8).reshape(-1, 1, args.stride, vectors.shape[1])
    np.save(args.out, frames)
    print(f"frames={len(frames)} clamped={clamped} seconds={len(audio) / RATE:.2f}")


if __name__ == "__main__":
    main()
