package metagraph

import (
	"context"
	"encoding/binary"
	"hash/crc32"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/vmihailenco/msgpack/v5"
	"gonum.org/v1/gonum/mat"

	"github.com/gotensor/gotensor/subtensor"
)

func syncedFake(t testing.TB, netuid subtensor.NetUID, n int, full bool) *Metagraph {
	t.Helper()
	f := denseFake(netuid, n)
	opts := []Option{WithNetwork("local")}
	if full {
		opts = append(opts, WithFull())
	}
	m, err := Sync(context.Background(), f, netuid, opts...)
	require.NoError(t, err)
	return m
}

// denseFake is an n-uid subnet where every uid weights and bonds every
// other uid (the worst case for size).
func denseFake(netuid subtensor.NetUID, n int) *fakeChain {
	w := make([][]we, n)
	b := make([][]we, n)
	for i := range w {
		for j := 0; j < n; j++ {
			w[i] = append(w[i], we{UID: subtensor.UID(j), Value: uint16((i*131 + j*17) % 65536)})
			b[i] = append(b[i], we{UID: subtensor.UID(j), Value: uint16((i*7 + j*3) % 65536)})
		}
	}
	f := newFake(netuid, n, w, b)
	f.nets = []subtensor.NetUID{0, 1, 2}
	return f
}

// validatorFake is an n-uid subnet where the first v uids are validators
// weighting and bonding every uid (a full subnet's realistic shape).
func validatorFake(n, v int) *fakeChain {
	w := make([][]we, n)
	b := make([][]we, n)
	for i := 0; i < v && i < n; i++ {
		for j := 0; j < n; j++ {
			w[i] = append(w[i], we{UID: subtensor.UID(j), Value: uint16((i*131 + j*17) % 65536)})
			b[i] = append(b[i], we{UID: subtensor.UID(j), Value: uint16((i*7 + j*3) % 65536)})
		}
	}
	return newFake(1, n, w, b)
}

func requireSameMetagraph(t *testing.T, want, got *Metagraph) {
	t.Helper()
	wb, err := want.MarshalBinary()
	require.NoError(t, err)
	gb, err := got.MarshalBinary()
	require.NoError(t, err)
	require.Equal(t, wb, gb)
	require.Equal(t, want.N, got.N)
	require.Equal(t, want.Block, got.Block)
	require.Equal(t, want.BlockHash, got.BlockHash)
	require.Equal(t, want.MechanismCount, got.MechanismCount)
	require.Equal(t, want.EmissionSplit, got.EmissionSplit)
	require.Equal(t, want.Hotkeys, got.Hotkeys)
	require.Equal(t, want.Axons, got.Axons)
	require.Equal(t, want.Consensus, got.Consensus)
	require.Equal(t, want.ValidatorTrust, got.ValidatorTrust)
	require.Equal(t, want.Emission, got.Emission)
	require.Equal(t, want.AlphaStake, got.AlphaStake)
	require.Equal(t, want.TaoStake, got.TaoStake)
	require.Equal(t, want.TotalStake, got.TotalStake)
	require.Equal(t, want.BlockAtRegistration, got.BlockAtRegistration)
	require.Equal(t, want.Identities, got.Identities)
	require.Equal(t, want.Subnet, got.Subnet)
	require.Equal(t, want.TaoDividendsPerHotkey, got.TaoDividendsPerHotkey)
	require.Equal(t, want.RootSubnets, got.RootSubnets)
	if want.Weights == nil {
		require.Nil(t, got.Weights)
	} else {
		require.True(t, mat.Equal(want.Weights, got.Weights))
	}
	if want.Bonds == nil {
		require.Nil(t, got.Bonds)
	} else {
		require.True(t, mat.Equal(want.Bonds, got.Bonds))
	}
	u, ok := got.UIDOf(want.Hotkeys[want.N-1])
	require.True(t, ok)
	require.Equal(t, subtensor.UID(want.N-1), u)
}

func TestSaveLoadRoundTrip(t *testing.T) {
	for _, tc := range []struct {
		name   string
		netuid subtensor.NetUID
		full   bool
		mut    func(f *fakeChain)
	}{
		{"lite", 1, false, nil},
		{"full", 1, true, nil},
		{"root-full", 0, true, nil},
		{"fallback", 1, true, func(f *fakeChain) { f.mgErr = os.ErrInvalid }},
		{"pruning", 1, false, func(f *fakeChain) {
			f.mg.PruningScore = make([]uint16, len(f.mg.Hotkeys))
			f.mg.PruningScore[3] = 65535
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := denseFake(tc.netuid, 9)
			if tc.mut != nil {
				tc.mut(f)
			}
			opts := []Option{WithNetwork("local"), WithLite(!tc.full)}
			m, err := Sync(context.Background(), f, tc.netuid, opts...)
			require.NoError(t, err)
			root := t.TempDir()
			p, err := m.Save(root)
			require.NoError(t, err)
			require.Equal(t, filepath.Join(root, "network-local", "netuid-"+itoa(int(tc.netuid)), "block-1000.mgraph"), p)
			st, err := os.Stat(p)
			require.NoError(t, err)
			require.Equal(t, os.FileMode(0o644), st.Mode().Perm())
			got, err := Load(p)
			require.NoError(t, err)
			requireSameMetagraph(t, m, got)
			if tc.name == "pruning" {
				require.Equal(t, 1.0, got.PruningScore[3])
			}
			ents, err := os.ReadDir(filepath.Dir(p))
			require.NoError(t, err)
			require.Len(t, ents, 1, "no temporary file left behind")
		})
	}
}

func itoa(i int) string { return strconv.Itoa(i) }

func TestLoadLatest(t *testing.T) {
	root := t.TempDir()
	m := syncedFake(t, 1, 4, false)
	for _, b := range []uint64{5, 120, 12} {
		m.Block = b
		_, err := m.Save(root)
		require.NoError(t, err)
	}
	dir, err := Dir(root, "local", 1)
	require.NoError(t, err)
	// Names that are not block-<n>.mgraph are ignored.
	for _, junk := range []string{"block-abc.mgraph", "block-0999.mgraph", "block-7.pt", "notes.txt"} {
		require.NoError(t, os.WriteFile(filepath.Join(dir, junk), []byte("x"), 0o644))
	}
	bs, err := Blocks(root, "local", 1)
	require.NoError(t, err)
	require.Equal(t, []uint64{5, 12, 120}, bs)
	got, err := LoadLatest(root, "local", 1)
	require.NoError(t, err)
	require.Equal(t, uint64(120), got.Block)

	_, err = LoadLatest(root, "local", 2)
	require.ErrorIs(t, err, ErrNoSnapshot)
	_, err = LoadLatest(root, "../x", 1)
	require.ErrorIs(t, err, ErrBadNetworkName)
	m.Network = ""
	_, err = m.Save(root)
	require.ErrorIs(t, err, ErrBadNetworkName)
}

func TestDefaultDir(t *testing.T) {
	t.Setenv("XDG_CACHE_HOME", "/tmp/cachehome")
	t.Setenv("HOME", "/tmp/home")
	p, err := Path("", "finney", 7, 42)
	require.NoError(t, err)
	c, err := os.UserCacheDir()
	require.NoError(t, err)
	require.Equal(t, filepath.Join(c, "gotensor", "metagraphs", "network-finney", "netuid-7", "block-42.mgraph"), p)
}

func encoded(t testing.TB, full bool) []byte {
	m := syncedFake(t, 1, 5, full)
	b, err := m.MarshalBinary()
	require.NoError(t, err)
	return b
}

func TestDecodeRejectsDamage(t *testing.T) {
	good := encoded(t, true)
	_, err := Decode(good)
	require.NoError(t, err)

	// Every truncation is ErrCorrupt.
	for i := 0; i < len(good); i++ {
		_, err := Decode(good[:i])
		require.ErrorIs(t, err, ErrCorrupt, "prefix %d", i)
	}
	// Every single-bit flip of the checksummed part is caught.
	for i := 12; i < len(good); i++ {
		b := append([]byte(nil), good...)
		b[i] ^= 0x10
		_, err := Decode(b)
		require.ErrorIs(t, err, ErrCorrupt, "byte %d", i)
	}
	// Trailing garbage.
	_, err = Decode(append(append([]byte(nil), good...), 0))
	require.ErrorIs(t, err, ErrCorrupt)
	// Bad magic.
	b := append([]byte(nil), good...)
	b[0] = 'X'
	_, err = Decode(b)
	require.ErrorIs(t, err, ErrCorrupt)

	// A newer version is reported as such, whatever follows.
	b = append([]byte(nil), good...)
	binary.BigEndian.PutUint16(b[8:], FormatVersion+1)
	_, err = Decode(b)
	require.ErrorIs(t, err, ErrUnsupportedVersion)
	var ve *VersionError
	require.ErrorAs(t, err, &ve)
	require.Equal(t, FormatVersion+1, ve.Got)
	require.NotErrorIs(t, err, ErrCorrupt)
}

// withHeader wraps a payload in a valid header (correct length and CRC),
// so tests and the fuzzer reach the payload checks.
func withHeader(payload []byte) []byte {
	out := make([]byte, headerSize, headerSize+len(payload))
	copy(out, magic)
	binary.BigEndian.PutUint16(out[8:], FormatVersion)
	binary.BigEndian.PutUint32(out[12:], uint32(len(payload)))
	binary.BigEndian.PutUint32(out[16:], crc32.Checksum(payload, crcTable))
	return append(out, payload...)
}

func TestDecodeRejectsInconsistentPayload(t *testing.T) {
	good := encoded(t, true)
	payload := good[headerSize:]
	// Re-encode the payload with one field broken at a time.
	for _, tc := range []struct {
		name string
		mut  func(f *fileV1)
	}{
		{"n larger", func(f *fileV1) { f.N++ }},
		{"n huge", func(f *fileV1) { f.N = 1 << 30 }},
		{"hotkeys short", func(f *fileV1) { f.Hotkeys = f.Hotkeys[:31] }},
		{"axons short", func(f *fileV1) { f.Axons = f.Axons[:10] }},
		{"hash short", func(f *fileV1) { f.BlockHash = nil }},
		{"consensus long", func(f *fileV1) { f.Consensus = append(f.Consensus, 1) }},
		{"tao without flag", func(f *fileV1) { f.HasTaoStake = false }},
		{"identities without flag", func(f *fileV1) { f.HasIdentities = false }},
		{"pruning partial", func(f *fileV1) { f.PruningScore = []uint16{1} }},
		{"rowptr short", func(f *fileV1) { f.Weights.RowPtr = f.Weights.RowPtr[:2] }},
		{"rowptr decreasing", func(f *fileV1) { f.Weights.RowPtr[2] = 0 }},
		{"col past n", func(f *fileV1) { f.Bonds.Cols[0] = 5 }},
		{"vals short", func(f *fileV1) { f.Weights.Vals = f.Weights.Vals[1:] }},
		{"lite with weights", func(f *fileV1) { f.Lite = true }},
		{"owner key", func(f *fileV1) { f.Subnet.OwnerHotkey = []byte{1} }},
		{"dividend key", func(f *fileV1) { f.TaoDivs[0].Hotkey = nil }},
		{"root subnets off root", func(f *fileV1) { f.RootSubnets = []uint16{1} }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var f fileV1
			require.NoError(t, msgpackUnmarshal(payload, &f))
			tc.mut(&f)
			_, err := Decode(withHeader(msgpackMarshal(t, &f)))
			require.ErrorIs(t, err, ErrCorrupt)
		})
	}
	// Not a map at all, and two values.
	_, err := Decode(withHeader([]byte{0xc0}))
	require.ErrorIs(t, err, ErrCorrupt)
	_, err = Decode(withHeader(append(append([]byte(nil), payload...), 0xc0)))
	require.ErrorIs(t, err, ErrCorrupt)
}

func TestLoadErrors(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "block-1.mgraph")
	require.NoError(t, os.WriteFile(p, encoded(t, false)[:30], 0o644))
	_, err := Load(p)
	require.ErrorIs(t, err, ErrCorrupt)
	_, err = Load(filepath.Join(dir, "missing.mgraph"))
	require.ErrorIs(t, err, os.ErrNotExist)
}

func FuzzLoad(f *testing.F) {
	f.Add(encoded(f, true))
	f.Add(encoded(f, false))
	f.Add([]byte(magic))
	if b, err := os.ReadFile("testdata/format-v1.mgraph"); err == nil {
		f.Add(b)
	}
	f.Add(withHeader([]byte{0x80}))
	f.Add(withHeader([]byte{0x81, 0xa1, 'n', 0xce, 0xff, 0xff, 0xff, 0xff}))
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := Decode(data)
		if err != nil {
			if m != nil {
				t.Fatal("metagraph and error")
			}
			return
		}
		// A file that decodes re-encodes to itself.
		again, err := m.MarshalBinary()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := Decode(again); err != nil {
			t.Fatalf("re-encoded file does not decode: %v", err)
		}
	})
}

// FuzzDecodePayload fuzzes the msgpack payload behind a valid header,
// which random bytes rarely reach through the checksum.
func FuzzDecodePayload(f *testing.F) {
	f.Add(encoded(f, true)[headerSize:])
	f.Add(encoded(f, false)[headerSize:])
	f.Add([]byte{0x80})
	f.Add([]byte{0x81, 0xa6, 'w', 'e', 'i', 'g', 'h', 't', 0xdd, 0xff, 0xff, 0xff, 0xff})
	f.Fuzz(func(t *testing.T, payload []byte) {
		m, err := Decode(withHeader(payload))
		if err == nil && m.N > maxUIDs {
			t.Fatal("n past the limit accepted")
		}
	})
}

func msgpackUnmarshal(b []byte, v any) error { return msgpack.Unmarshal(b, v) }

func msgpackMarshal(t testing.TB, v any) []byte {
	b, err := msgpack.Marshal(v)
	require.NoError(t, err)
	return b
}

// TestFormatV1Stable loads a file written by format version 1 (committed in
// testdata) and checks it against a fresh sync of the same fake subnet, so
// an accidental change of the on-disk layout fails here. Regenerate only on
// purpose, with METAGRAPH_WRITE_GOLDEN=1, after bumping FormatVersion.
func TestFormatV1Stable(t *testing.T) {
	f := threeUIDs(1)
	m, err := Sync(context.Background(), f, 1, WithFull(), WithNetwork("local"))
	require.NoError(t, err)
	const golden = "testdata/format-v1.mgraph"
	if os.Getenv("METAGRAPH_WRITE_GOLDEN") == "1" {
		b, err := m.MarshalBinary()
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(golden, b, 0o644))
	}
	got, err := Load(golden)
	require.NoError(t, err)
	requireSameMetagraph(t, m, got)
	require.Equal(t, []float64{0, 1.0 / 3, 2.0 / 3}, got.Weights.RawRowView(0))
	require.Equal(t, []float64{0.18, 0, 0.09}, got.TaoStake)
}
