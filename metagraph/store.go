package metagraph

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/vmihailenco/msgpack/v5"

	"github.com/gotensor/gotensor/subtensor"
)

// File format (FormatVersion 1). All header integers are big-endian.
//
//	offset  size  field
//	0       8     magic "GTMGRAPH"
//	8       2     format version (1)
//	10      2     flags (0; reserved)
//	12      4     payload length in bytes
//	16      4     CRC-32C (Castagnoli) of the payload
//	20      len   payload: one msgpack map, see fileV1
//
// The payload holds the chain's raw values (u16 fractions, rao, sparse u16
// weight and bond rows), not the normalized floats: it is smaller, and
// Load recomputes the public fields with the same code as Sync, so a
// loaded metagraph equals the saved one exactly. Readers reject a newer
// version with ErrUnsupportedVersion before looking further.
//
// Mechanisms: version 1 carried the "mechid" key from the start, so a
// snapshot of mechanism m != 0 is an ordinary version-1 file (its weights
// and bonds are that mechanism's) and every reader of version 1 loads it
// with the right MechID; no version bump was needed. Only the directory
// changes: MechanismDir puts mechanism m != 0 under mech-<m>.
const (
	// FormatVersion is the version Save writes and the newest Load reads.
	FormatVersion uint16 = 1
	// FileExt is the extension of saved metagraphs.
	FileExt = ".mgraph"

	magic      = "GTMGRAPH"
	headerSize = 20
	// maxPayload bounds what Load reads: a 4096-uid full metagraph with
	// dense weights and bonds fits comfortably.
	maxPayload = 256 << 20
)

var crcTable = crc32.MakeTable(crc32.Castagnoli)

// axonSize is the packed size of one axon: the chain's AxonInfo fields in
// SCALE order and encoding (little-endian), without the keys.
const axonSize = 8 + 4 + 16 + 2 + 1 + 1 + 1 + 1

// fileV1 is the msgpack payload of format version 1. Keys are part of the
// format: never rename them; add fields with new keys. Integer and bool
// vectors are packed into one msgpack bin each (little-endian fixed width:
// u16 2 bytes, u32 4, u64 8, bool 1 byte 0/1; see packed.go); account keys
// are bins of 32-byte keys; axons a bin of 34-byte records.
type fileV1 struct {
	NetUID uint16 `msgpack:"netuid"`
	MechID uint8  `msgpack:"mechid"`
	// MechanismCount and EmissionSplit came after the first files of
	// version 1; absent, they read as unknown (0, nil).
	MechanismCount uint8  `msgpack:"mechanism_count,omitempty"`
	EmissionSplit  u16s   `msgpack:"emission_split,omitempty"`
	Network        string `msgpack:"network"`
	Block          uint64 `msgpack:"block"`
	BlockHash      bin    `msgpack:"block_hash"` // 32 bytes
	Lite           bool   `msgpack:"lite"`
	N              uint32 `msgpack:"n"`

	Hotkeys         bin   `msgpack:"hotkeys"`  // N×32 bytes
	Coldkeys        bin   `msgpack:"coldkeys"` // N×32 bytes
	Axons           bin   `msgpack:"axons"`    // N×34 bytes (axonSize)
	Active          bools `msgpack:"active"`
	ValidatorPermit bools `msgpack:"validator_permit"`
	LastUpdate      u64s  `msgpack:"last_update"`
	// BlockAtRegistration, TaoStake and Identities are present (HasX)
	// only when the sync used the Metagraph runtime API.
	HasRegistration     bool                `msgpack:"has_registration"`
	BlockAtRegistration u64s                `msgpack:"block_at_registration"`
	Consensus           u16s                `msgpack:"consensus"`
	Incentive           u16s                `msgpack:"incentive"`
	Dividends           u16s                `msgpack:"dividends"`
	ValidatorTrust      u16s                `msgpack:"validator_trust"`
	PruningScore        u16s                `msgpack:"pruning_score"` // empty or N
	Emission            u64s                `msgpack:"emission"`      // rao
	AlphaStake          u64s                `msgpack:"alpha_stake"`   // rao
	HasTaoStake         bool                `msgpack:"has_tao_stake"`
	TaoStake            u64s                `msgpack:"tao_stake"`   // rao, unweighted
	TotalStake          u64s                `msgpack:"total_stake"` // rao
	HasIdentities       bool                `msgpack:"has_identities"`
	Identities          []*chainIdentityRec `msgpack:"identities"`

	Weights     csrRec `msgpack:"weights"` // empty in lite mode
	Bonds       csrRec `msgpack:"bonds"`
	RootSubnets u16s   `msgpack:"root_subnets"`

	Subnet         subnetRecord       `msgpack:"subnet"`
	SubnetIdentity *subnetIdentityRec `msgpack:"subnet_identity"`
	TaoDivs        []hotkeyAmountRec  `msgpack:"tao_dividends_per_hotkey"`
	AlphaDivs      []hotkeyAmountRec  `msgpack:"alpha_dividends_per_hotkey"`
}

// csrRec is a sparse u16 matrix: row i is Cols/Vals[RowPtr[i]:RowPtr[i+1]].
type csrRec struct {
	RowPtr u32s `msgpack:"row_ptr"`
	Cols   u16s `msgpack:"cols"`
	Vals   u16s `msgpack:"vals"`
}

type hotkeyAmountRec struct {
	Hotkey bin    `msgpack:"hotkey"`
	Amount uint64 `msgpack:"amount"`
}

type chainIdentityRec struct {
	Name        string `msgpack:"name"`
	URL         string `msgpack:"url"`
	GithubRepo  string `msgpack:"github_repo"`
	Image       string `msgpack:"image"`
	Discord     string `msgpack:"discord"`
	Description string `msgpack:"description"`
	Additional  string `msgpack:"additional"`
}

type subnetIdentityRec struct {
	SubnetName    string `msgpack:"subnet_name"`
	GithubRepo    string `msgpack:"github_repo"`
	SubnetContact string `msgpack:"subnet_contact"`
	SubnetURL     string `msgpack:"subnet_url"`
	Discord       string `msgpack:"discord"`
	Description   string `msgpack:"description"`
	LogoURL       string `msgpack:"logo_url"`
	Additional    string `msgpack:"additional"`
}

func balancesToU64(b []subtensor.Balance) []uint64 {
	out := make([]uint64, len(b))
	for i, v := range b {
		out[i] = uint64(v)
	}
	return out
}

func u64ToBalances(u []uint64) []subtensor.Balance {
	out := make([]subtensor.Balance, len(u))
	for i, v := range u {
		out[i] = subtensor.Balance(v)
	}
	return out
}

func packAccounts(a []subtensor.AccountID) []byte {
	out := make([]byte, 0, 32*len(a))
	for i := range a {
		out = append(out, a[i][:]...)
	}
	return out
}

func packAxon(b []byte, a *subtensor.AxonInfo) []byte {
	b = binary.LittleEndian.AppendUint64(b, a.Block)
	b = binary.LittleEndian.AppendUint32(b, a.Version)
	b = binary.LittleEndian.AppendUint64(b, a.IP.Lo)
	b = binary.LittleEndian.AppendUint64(b, a.IP.Hi)
	b = binary.LittleEndian.AppendUint16(b, a.Port)
	return append(b, a.IPType, a.Protocol, a.Placeholder1, a.Placeholder2)
}

func unpackAxon(b []byte) subtensor.AxonInfo {
	le := binary.LittleEndian
	return subtensor.AxonInfo{
		Block: le.Uint64(b[0:]), Version: le.Uint32(b[8:]),
		IP:   subtensor.IPAddr{Lo: le.Uint64(b[12:]), Hi: le.Uint64(b[20:])},
		Port: le.Uint16(b[28:]), IPType: b[30], Protocol: b[31], Placeholder1: b[32], Placeholder2: b[33],
	}
}

func csrOf(s *sparse) csrRec {
	return csrRec{RowPtr: s.rowPtr, Cols: s.cols, Vals: s.vals}
}

// MarshalBinary encodes the metagraph in the versioned file format.
func (m *Metagraph) MarshalBinary() ([]byte, error) {
	r := &m.raw
	f := fileV1{
		NetUID: uint16(m.NetUID), MechID: uint8(m.MechID), Network: m.Network,
		MechanismCount: uint8(m.MechanismCount), EmissionSplit: m.EmissionSplit,
		Block: m.Block, BlockHash: m.BlockHash[:], Lite: m.Lite, N: uint32(m.N),
		Hotkeys: packAccounts(m.Hotkeys), Coldkeys: packAccounts(m.Coldkeys),
		Active: m.Active, ValidatorPermit: m.ValidatorPermit, LastUpdate: m.LastUpdate,
		HasRegistration: r.hasReg, BlockAtRegistration: m.BlockAtRegistration,
		Consensus: r.consensus, Incentive: r.incentive, Dividends: r.dividends, ValidatorTrust: r.vtrust,
		PruningScore: r.pruning,
		Emission:     balancesToU64(r.emission), AlphaStake: balancesToU64(r.alphaStake),
		HasTaoStake: r.hasTao, TaoStake: balancesToU64(r.taoStake), TotalStake: balancesToU64(r.totalStake),
		HasIdentities: r.hasIdentities,
		Subnet:        r.subnet,
	}
	f.Axons = make([]byte, 0, axonSize*len(m.Axons))
	for i := range m.Axons {
		f.Axons = packAxon(f.Axons, &m.Axons[i])
	}
	if r.hasIdentities {
		f.Identities = make([]*chainIdentityRec, len(m.Identities))
		for i, id := range m.Identities {
			if id != nil {
				f.Identities[i] = &chainIdentityRec{id.Name, id.URL, id.GithubRepo, id.Image, id.Discord, id.Description, id.Additional}
			}
		}
	}
	if !m.Lite {
		f.Weights, f.Bonds = csrOf(&r.weights), csrOf(&r.bonds)
		for _, id := range m.RootSubnets {
			f.RootSubnets = append(f.RootSubnets, uint16(id))
		}
	}
	if id := r.subnet.Identity; id != nil {
		f.SubnetIdentity = &subnetIdentityRec{id.SubnetName, id.GithubRepo, id.SubnetContact, id.SubnetURL, id.Discord, id.Description, id.LogoURL, id.Additional}
	}
	for _, d := range r.taoDivs {
		f.TaoDivs = append(f.TaoDivs, hotkeyAmountRec{Hotkey: d.Hotkey[:], Amount: uint64(d.Amount)})
	}
	for _, d := range r.alphaDivs {
		f.AlphaDivs = append(f.AlphaDivs, hotkeyAmountRec{Hotkey: d.Hotkey[:], Amount: uint64(d.Amount)})
	}

	var payload bytes.Buffer
	enc := msgpack.NewEncoder(&payload)
	enc.UseCompactInts(true)
	if err := enc.Encode(&f); err != nil {
		return nil, fmt.Errorf("metagraph: encode: %w", err)
	}
	if payload.Len() > maxPayload {
		return nil, fmt.Errorf("metagraph: encode: payload of %d bytes exceeds the %d-byte limit", payload.Len(), maxPayload)
	}
	out := make([]byte, headerSize, headerSize+payload.Len())
	copy(out, magic)
	binary.BigEndian.PutUint16(out[8:], FormatVersion)
	binary.BigEndian.PutUint32(out[12:], uint32(payload.Len()))
	binary.BigEndian.PutUint32(out[16:], crc32.Checksum(payload.Bytes(), crcTable))
	return append(out, payload.Bytes()...), nil
}

// Decode parses a metagraph in the file format. A newer format version
// fails with ErrUnsupportedVersion; anything truncated, altered or
// inconsistent fails with ErrCorrupt. It never panics.
func Decode(data []byte) (*Metagraph, error) {
	if len(data) < headerSize {
		if len(data) >= 8 && string(data[:8]) != magic {
			return nil, corrupt("bad magic", nil)
		}
		return nil, corrupt(fmt.Sprintf("truncated header (%d of %d bytes)", len(data), headerSize), nil)
	}
	if string(data[:8]) != magic {
		return nil, corrupt("bad magic", nil)
	}
	v := binary.BigEndian.Uint16(data[8:])
	if v > FormatVersion {
		return nil, &VersionError{Got: v, Max: FormatVersion}
	}
	if v == 0 {
		return nil, corrupt("format version 0", nil)
	}
	if flags := binary.BigEndian.Uint16(data[10:]); flags != 0 {
		return nil, corrupt(fmt.Sprintf("unknown flags %#x", flags), nil)
	}
	plen := binary.BigEndian.Uint32(data[12:])
	payload := data[headerSize:]
	switch {
	case plen > maxPayload:
		return nil, corrupt(fmt.Sprintf("payload length %d exceeds the limit", plen), nil)
	case uint64(len(payload)) < uint64(plen):
		return nil, corrupt(fmt.Sprintf("truncated payload (%d of %d bytes)", len(payload), plen), nil)
	case uint64(len(payload)) > uint64(plen):
		return nil, corrupt(fmt.Sprintf("%d trailing bytes", uint64(len(payload))-uint64(plen)), nil)
	}
	if got, want := crc32.Checksum(payload, crcTable), binary.BigEndian.Uint32(data[16:]); got != want {
		return nil, corrupt(fmt.Sprintf("checksum mismatch (crc32c %08x, header %08x)", got, want), nil)
	}
	var f fileV1
	dec := msgpack.NewDecoder(bytes.NewReader(payload))
	if err := dec.Decode(&f); err != nil {
		return nil, corrupt("decode payload", err)
	}
	if _, err := dec.PeekCode(); err != io.EOF {
		return nil, corrupt("data after the payload map", nil)
	}
	return f.metagraph()
}

// UnmarshalBinary decodes data (see Decode) into m.
func (m *Metagraph) UnmarshalBinary(data []byte) error {
	d, err := Decode(data)
	if err != nil {
		return err
	}
	*m = *d
	return nil
}

func (f *fileV1) check() error {
	n := int(f.N)
	bad := func(field string, want, got int) error {
		return corrupt(fmt.Sprintf("%s: want %d, got %d", field, want, got), nil)
	}
	if n > maxUIDs {
		return bad("n", maxUIDs, n)
	}
	if len(f.BlockHash) != 32 {
		return bad("block_hash length", 32, len(f.BlockHash))
	}
	if len(f.EmissionSplit) > math.MaxUint8 {
		return bad("emission_split length", math.MaxUint8, len(f.EmissionSplit))
	}
	for _, c := range []struct {
		name      string
		got, want int
	}{
		{"hotkeys", len(f.Hotkeys), 32 * n}, {"coldkeys", len(f.Coldkeys), 32 * n},
		{"axons", len(f.Axons), axonSize * n}, {"active", len(f.Active), n},
		{"validator_permit", len(f.ValidatorPermit), n}, {"last_update", len(f.LastUpdate), n},
		{"consensus", len(f.Consensus), n}, {"incentive", len(f.Incentive), n},
		{"dividends", len(f.Dividends), n}, {"validator_trust", len(f.ValidatorTrust), n},
		{"emission", len(f.Emission), n}, {"alpha_stake", len(f.AlphaStake), n},
		{"total_stake", len(f.TotalStake), n},
	} {
		if c.got != c.want {
			return bad(c.name, c.want, c.got)
		}
	}
	opt := func(name string, has bool, l int) error {
		if (has && l != n) || (!has && l != 0) {
			return bad(name, n, l)
		}
		return nil
	}
	if err := opt("block_at_registration", f.HasRegistration, len(f.BlockAtRegistration)); err != nil {
		return err
	}
	if err := opt("tao_stake", f.HasTaoStake, len(f.TaoStake)); err != nil {
		return err
	}
	if err := opt("identities", f.HasIdentities, len(f.Identities)); err != nil {
		return err
	}
	if l := len(f.PruningScore); l != 0 && l != n {
		return bad("pruning_score", n, l)
	}
	if l := len(f.Subnet.OwnerHotkey); l != 32 && l != 0 {
		return bad("owner_hotkey length", 32, l)
	}
	if l := len(f.Subnet.OwnerColdkey); l != 32 && l != 0 {
		return bad("owner_coldkey length", 32, l)
	}
	for _, d := range append(f.TaoDivs[:len(f.TaoDivs):len(f.TaoDivs)], f.AlphaDivs...) {
		if len(d.Hotkey) != 32 {
			return bad("dividend hotkey length", 32, len(d.Hotkey))
		}
	}
	root := f.NetUID == uint16(subtensor.RootNetUID)
	if f.Lite {
		if len(f.Weights.RowPtr)+len(f.Weights.Cols)+len(f.Bonds.RowPtr)+len(f.Bonds.Cols)+len(f.RootSubnets) != 0 {
			return corrupt("weights or bonds in a lite metagraph", nil)
		}
		return nil
	}
	if !root && len(f.RootSubnets) != 0 {
		return corrupt("root subnets on a non-root metagraph", nil)
	}
	if len(f.RootSubnets) > maxUIDs {
		return bad("root_subnets", maxUIDs, len(f.RootSubnets))
	}
	for _, c := range []struct {
		name string
		m    *csrRec
		cols int
	}{{"weights", &f.Weights, n}, {"bonds", &f.Bonds, n}} {
		if err := c.m.check(c.name, n, c.cols, root); err != nil {
			return err
		}
	}
	return nil
}

func (c *csrRec) check(name string, n, cols int, root bool) error {
	if len(c.RowPtr) != n+1 {
		return corrupt(fmt.Sprintf("%s: %d row pointers for %d rows", name, len(c.RowPtr), n), nil)
	}
	if len(c.Cols) != len(c.Vals) {
		return corrupt(fmt.Sprintf("%s: %d columns but %d values", name, len(c.Cols), len(c.Vals)), nil)
	}
	if c.RowPtr[0] != 0 || int(c.RowPtr[n]) != len(c.Cols) {
		return corrupt(name+": row pointers do not span the entries", nil)
	}
	for i := 0; i < n; i++ {
		if c.RowPtr[i] > c.RowPtr[i+1] {
			return corrupt(name+": row pointers decrease", nil)
		}
	}
	if !root {
		for _, col := range c.Cols {
			if int(col) >= cols {
				return corrupt(fmt.Sprintf("%s: column %d past the last uid", name, col), nil)
			}
		}
	}
	return nil
}

func unpackAccounts(b []byte, n int) []subtensor.AccountID {
	out := make([]subtensor.AccountID, n)
	for i := range out {
		copy(out[i][:], b[32*i:])
	}
	return out
}

func (f *fileV1) metagraph() (*Metagraph, error) {
	if err := f.check(); err != nil {
		return nil, err
	}
	n := int(f.N)
	m := &Metagraph{
		NetUID: subtensor.NetUID(f.NetUID), MechID: subtensor.MechID(f.MechID), Network: f.Network,
		MechanismCount: int(f.MechanismCount), EmissionSplit: f.EmissionSplit,
		Block: f.Block, Lite: f.Lite, N: n,
		Hotkeys: unpackAccounts(f.Hotkeys, n), Coldkeys: unpackAccounts(f.Coldkeys, n),
		Active: f.Active, ValidatorPermit: f.ValidatorPermit, LastUpdate: f.LastUpdate,
	}
	copy(m.BlockHash[:], f.BlockHash)
	m.Axons = make([]subtensor.AxonInfo, n)
	for i := range m.Axons {
		m.Axons[i] = unpackAxon(f.Axons[axonSize*i:])
	}
	r := &m.raw
	r.consensus, r.incentive, r.dividends, r.vtrust = f.Consensus, f.Incentive, f.Dividends, f.ValidatorTrust
	r.pruning = f.PruningScore
	r.emission, r.alphaStake, r.totalStake = u64ToBalances(f.Emission), u64ToBalances(f.AlphaStake), u64ToBalances(f.TotalStake)
	r.hasReg, r.hasTao, r.hasIdentities = f.HasRegistration, f.HasTaoStake, f.HasIdentities
	if f.HasRegistration {
		m.BlockAtRegistration = f.BlockAtRegistration
	}
	if f.HasTaoStake {
		r.taoStake = u64ToBalances(f.TaoStake)
	}
	if f.HasIdentities {
		m.Identities = make([]*subtensor.ChainIdentity, n)
		for i, id := range f.Identities {
			if id != nil {
				m.Identities[i] = &subtensor.ChainIdentity{Name: id.Name, URL: id.URL, GithubRepo: id.GithubRepo,
					Image: id.Image, Discord: id.Discord, Description: id.Description, Additional: id.Additional}
			}
		}
	}
	if !f.Lite {
		r.weights = sparse{rowPtr: f.Weights.RowPtr, cols: f.Weights.Cols, vals: f.Weights.Vals}
		r.bonds = sparse{rowPtr: f.Bonds.RowPtr, cols: f.Bonds.Cols, vals: f.Bonds.Vals}
		for _, id := range f.RootSubnets {
			m.RootSubnets = append(m.RootSubnets, subtensor.NetUID(id))
		}
	}
	r.subnet = f.Subnet
	if id := f.SubnetIdentity; id != nil {
		r.subnet.Identity = &subtensor.SubnetIdentity{SubnetName: id.SubnetName, GithubRepo: id.GithubRepo,
			SubnetContact: id.SubnetContact, SubnetURL: id.SubnetURL, Discord: id.Discord,
			Description: id.Description, LogoURL: id.LogoURL, Additional: id.Additional}
	}
	for _, d := range f.TaoDivs {
		r.taoDivs = append(r.taoDivs, subtensor.HotkeyAmount{Hotkey: accountOf(d.Hotkey), Amount: subtensor.Balance(d.Amount)})
	}
	for _, d := range f.AlphaDivs {
		r.alphaDivs = append(r.alphaDivs, subtensor.HotkeyAmount{Hotkey: accountOf(d.Hotkey), Amount: subtensor.Balance(d.Amount)})
	}
	m.derive()
	return m, nil
}

// DefaultDir is the root of saved metagraphs:
// os.UserCacheDir()/gotensor/metagraphs.
func DefaultDir() (string, error) {
	c, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("metagraph: cache dir: %w", err)
	}
	return filepath.Join(c, "gotensor", "metagraphs"), nil
}

// ErrBadNetworkName is returned for a network label that cannot be a single
// path element (empty, ".", "..", or containing a path separator).
var ErrBadNetworkName = errors.New("metagraph: network name is not a valid directory name")

func checkNetwork(network string) error {
	if network == "" || network == "." || network == ".." || strings.ContainsAny(network, `/\`+"\x00") {
		return fmt.Errorf("%w: %q", ErrBadNetworkName, network)
	}
	return nil
}

// Dir is where metagraphs of one subnet are saved under root (DefaultDir
// when root is ""): root/network-<network>/netuid-<netuid>.
func Dir(root, network string, netuid subtensor.NetUID) (string, error) {
	if err := checkNetwork(network); err != nil {
		return "", err
	}
	if root == "" {
		var err error
		if root, err = DefaultDir(); err != nil {
			return "", err
		}
	}
	return filepath.Join(root, "network-"+network, "netuid-"+strconv.Itoa(int(netuid))), nil
}

// MechanismDir is where metagraphs of one mechanism of a subnet are saved:
// Dir(...) itself for mechanism 0 (so the layout of subnet snapshots, and
// every file saved before mechanisms were readable, stays where it was),
// Dir(...)/mech-<mech> for the others.
func MechanismDir(root, network string, netuid subtensor.NetUID, mech subtensor.MechID) (string, error) {
	d, err := Dir(root, network, netuid)
	if err != nil || mech == 0 {
		return d, err
	}
	return filepath.Join(d, "mech-"+strconv.Itoa(int(mech))), nil
}

// Path is the file of one saved block of mechanism 0:
// Dir(...)/block-<block>.mgraph.
func Path(root, network string, netuid subtensor.NetUID, block uint64) (string, error) {
	return MechanismPath(root, network, netuid, 0, block)
}

// MechanismPath is the file of one saved block of a mechanism:
// MechanismDir(...)/block-<block>.mgraph.
func MechanismPath(root, network string, netuid subtensor.NetUID, mech subtensor.MechID, block uint64) (string, error) {
	d, err := MechanismDir(root, network, netuid, mech)
	if err != nil {
		return "", err
	}
	return filepath.Join(d, "block-"+strconv.FormatUint(block, 10)+FileExt), nil
}

// Save writes the metagraph to
// MechanismPath(root, m.Network, m.NetUID, m.MechID, m.Block) atomically (a temporary file in the same directory, synced, then
// renamed; mode 0644, there is nothing secret in it) and returns the path.
// m.Network must be set (WithNetwork).
func (m *Metagraph) Save(root string) (string, error) {
	p, err := MechanismPath(root, m.Network, m.NetUID, m.MechID, m.Block)
	if err != nil {
		return "", err
	}
	data, err := m.MarshalBinary()
	if err != nil {
		return "", err
	}
	if err := writeAtomic(p, data); err != nil {
		return "", fmt.Errorf("metagraph: save: %w", err)
	}
	return p, nil
}

func writeAtomic(path string, data []byte) (err error) {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(dir, ".tmp-*"+FileExt)
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			_ = tmp.Close()
			_ = os.Remove(tmp.Name())
		}
	}()
	if _, err = tmp.Write(data); err != nil {
		return err
	}
	if err = tmp.Chmod(0o644); err != nil {
		return err
	}
	if err = tmp.Sync(); err != nil {
		return err
	}
	if err = tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// Load reads a metagraph file (see Decode for the errors).
func Load(path string) (*Metagraph, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("metagraph: load: %w", err)
	}
	defer fh.Close()
	// Read at most one byte past the largest valid file, so a huge file
	// is reported as corrupt instead of being read into memory.
	data, err := io.ReadAll(io.LimitReader(fh, headerSize+maxPayload+1))
	if err != nil {
		return nil, fmt.Errorf("metagraph: load %s: %w", path, err)
	}
	m, err := Decode(data)
	if err != nil {
		return nil, fmt.Errorf("metagraph: load %s: %w", path, err)
	}
	return m, nil
}

// Blocks lists the blocks saved for a subnet (mechanism 0), ascending.
// Files whose names are not block-<n>.mgraph are ignored.
func Blocks(root, network string, netuid subtensor.NetUID) ([]uint64, error) {
	return MechanismBlocks(root, network, netuid, 0)
}

// MechanismBlocks lists the blocks saved for one mechanism of a subnet,
// ascending.
func MechanismBlocks(root, network string, netuid subtensor.NetUID, mech subtensor.MechID) ([]uint64, error) {
	d, err := MechanismDir(root, network, netuid, mech)
	if err != nil {
		return nil, err
	}
	ents, err := os.ReadDir(d)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, nil
		}
		return nil, fmt.Errorf("metagraph: list %s: %w", d, err)
	}
	var out []uint64
	for _, e := range ents {
		name := e.Name()
		s, ok := strings.CutPrefix(name, "block-")
		if !ok || e.IsDir() {
			continue
		}
		s, ok = strings.CutSuffix(s, FileExt)
		if !ok {
			continue
		}
		b, err := strconv.ParseUint(s, 10, 64)
		if err != nil || strconv.FormatUint(b, 10) != s {
			continue
		}
		out = append(out, b)
	}
	slices.Sort(out)
	return out, nil
}

// LoadLatest loads the highest block saved for a subnet (mechanism 0), or
// fails with ErrNoSnapshot.
func LoadLatest(root, network string, netuid subtensor.NetUID) (*Metagraph, error) {
	return LoadLatestMechanism(root, network, netuid, 0)
}

// LoadLatestMechanism loads the highest block saved for one mechanism of a
// subnet, or fails with ErrNoSnapshot.
func LoadLatestMechanism(root, network string, netuid subtensor.NetUID, mech subtensor.MechID) (*Metagraph, error) {
	bs, err := MechanismBlocks(root, network, netuid, mech)
	if err != nil {
		return nil, err
	}
	if len(bs) == 0 {
		return nil, fmt.Errorf("%w for network %q netuid %d mechanism %d", ErrNoSnapshot, network, netuid, mech)
	}
	p, err := MechanismPath(root, network, netuid, mech, bs[len(bs)-1])
	if err != nil {
		return nil, err
	}
	return Load(p)
}

// bin is a msgpack bin field that is never allocated larger than the
// bytes left in the payload. The msgpack library allocates a bin's declared
// length before reading it, so a forged 4 GiB length in a tiny file would
// otherwise exhaust memory.
type bin []byte

var errBinTooLong = errors.New("bin length exceeds the remaining payload")

// EncodeMsgpack writes b as msgpack bin.
func (b bin) EncodeMsgpack(e *msgpack.Encoder) error { return e.EncodeBytes(b) }

// DecodeMsgpack reads a msgpack bin (or nil), checking its length first.
func (b *bin) DecodeMsgpack(d *msgpack.Decoder) error {
	n, err := d.DecodeBytesLen()
	if err != nil {
		return err
	}
	if n < 0 {
		*b = nil
		return nil
	}
	r, ok := d.Buffered().(interface{ Len() int })
	if !ok || n > r.Len() {
		return errBinTooLong
	}
	buf := make([]byte, n)
	if err := d.ReadFull(buf); err != nil {
		return err
	}
	*b = buf
	return nil
}
