#!/usr/bin/python3
"""wavstat.py WAV... - what a WAV holds, for ctid's speech tests: one line per file,
"rate channels bits duration_s span_s active_fraction active_rms_dbfs", where span is
from the first to the last 20 ms frame above -40 dBFS (the sound's extent) and
active_fraction the share of frames inside the span above that level."""
import math
import struct
import sys
import wave


def stat(path):
    with wave.open(path, "rb") as w:
        rate, ch, width, n = w.getframerate(), w.getnchannels(), w.getsampwidth(), w.getnframes()
        data = w.readframes(n)
    if width != 2:
        return f"{rate} {ch} {width * 8} {n / rate:.3f} 0 0 -99"
    x = struct.unpack("<%dh" % (len(data) // 2), data)[::ch]
    fl = rate // 50
    rms = []
    for i in range(0, len(x) - fl + 1, fl):
        f = x[i:i + fl]
        rms.append(math.sqrt(sum(v * v for v in f) / fl))
    thr = 32768 * 10 ** (-40 / 20)
    act = [i for i, r in enumerate(rms) if r > thr]
    if not act:
        return f"{rate} {ch} 16 {n / rate:.3f} 0 0 -99"
    span = act[-1] - act[0] + 1
    level = math.sqrt(sum(rms[i] ** 2 for i in act) / len(act))
    return (f"{rate} {ch} 16 {n / rate:.3f} {span / 50:.3f} {len(act) / span:.3f} "
            f"{20 * math.log10(level / 32768):.1f}")


for p in sys.argv[1:]:
    print(stat(p))
