# Generates the big-mode compact vectors in scale_test.go (TestCompactKnownAnswers).
# Independent reference: the SCALE compact rule written directly from the
# spec (modes 0b00/0b01/0b10 for < 2^6/2^14/2^30, else 0b11 with a byte count).
# The small values (0,1,42,69,65535,100000000000000) are also published in the
# parity-scale-codec / py-scale-codec README tables.
def compact(v):
    if v < 1 << 6:
        return bytes([v << 2])
    if v < 1 << 14:
        return (v << 2 | 1).to_bytes(2, "little")
    if v < 1 << 30:
        return (v << 2 | 2).to_bytes(4, "little")
    n = (v.bit_length() + 7) // 8
    return bytes([(n - 4) << 2 | 3]) + v.to_bytes(n, "little")

for v in [0, 1, 42, 63, 64, 69, 16383, 16384, 65535, (1 << 30) - 1, 1 << 30,
          (1 << 32) - 1, 1 << 32, 100000000000000, (1 << 64) - 1, 1 << 64,
          (1 << 128) - 1, (1 << 536) - 1]:
    print(v, compact(v).hex())
