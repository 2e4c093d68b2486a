package subtensor

import (
	"context"
	"fmt"

	"github.com/gotensor/gotensor/subtensor/internal/metadata"
)

// This file is the remote client's MechanismChain. Runtimes from spec ~320
// on split a subnet into mechanisms: MechanismCountCurrent says how many,
// per-mechanism state is stored under NetUIDIndex(netuid, mech), and the
// mechanism calls and runtime APIs take a mecid. Older runtimes (the local
// spec-300 testnet, raonet) have none of this: there the client reports one
// mechanism, answers ErrMechanismDoesNotExist for any other, reads
// mechanism 0 through the subnet-wide APIs, and refuses the
// mechanism-only calls with ErrRuntimeMetadata. Which case applies is read
// from the runtime's metadata, never from its version number.

var _ MechanismChain = (*Client)(nil)

const (
	storageMechanismCount = "MechanismCountCurrent"
	storageMechanismSplit = "MechanismEmissionSplit"
)

// hasMechanisms reports whether the runtime stores a mechanism count.
func (c *Client) hasMechanisms() bool {
	_, err := c.runtime().meta.Storage(PalletSubtensor, storageMechanismCount)
	return err == nil
}

// pinned returns opts pinned to one block: the caller's AtBlock, or the best
// block's hash, so that a mechanism check and the read it guards see the
// same state.
func (c *Client) pinned(ctx context.Context, opts []ReadOption) ([]ReadOption, error) {
	o := ApplyReadOptions(opts)
	if o.At != (Hash{}) {
		return []ReadOption{AtBlock(o.At)}, nil
	}
	_, h, err := c.head(ctx)
	if err != nil {
		return nil, err
	}
	return []ReadOption{AtBlock(h)}, nil
}

// MechanismCount implements MechanismChain: SubtensorModule
// MechanismCountCurrent (the chain's default, 1, when unset), or 1 on a
// runtime without mechanisms.
func (c *Client) MechanismCount(ctx context.Context, netuid NetUID, opts ...ReadOption) (int, error) {
	if !c.hasMechanisms() {
		return 1, nil
	}
	var n uint8
	if _, err := c.ReadStorage(ctx, PalletSubtensor, storageMechanismCount, &n, []any{uint16(netuid)}, opts...); err != nil {
		return 0, err
	}
	return int(n), nil
}

// MechanismEmissionSplit implements MechanismChain: SubtensorModule
// MechanismEmissionSplit, nil when unset (even split) or on a runtime
// without mechanisms.
func (c *Client) MechanismEmissionSplit(ctx context.Context, netuid NetUID, opts ...ReadOption) ([]uint16, error) {
	if _, err := c.runtime().meta.Storage(PalletSubtensor, storageMechanismSplit); err != nil {
		return nil, nil
	}
	var split []uint16
	found, err := c.ReadStorage(ctx, PalletSubtensor, storageMechanismSplit, &split, []any{uint16(netuid)}, opts...)
	if err != nil || !found {
		return nil, err
	}
	return split, nil
}

// checkMechanism fails with ErrMechanismDoesNotExist unless mech is below
// the subnet's mechanism count at the (pinned) block. Mechanism 0 always
// exists (whether the subnet does is the read's own business).
func (c *Client) checkMechanism(ctx context.Context, netuid NetUID, mech MechID, opts []ReadOption) error {
	if mech == 0 {
		return nil
	}
	n, err := c.MechanismCount(ctx, netuid, opts...)
	if err != nil {
		return err
	}
	if int(mech) >= n {
		return fmt.Errorf("%w: mechanism %d of subnet %d (the subnet has %d)", ErrMechanismDoesNotExist, mech, netuid, n)
	}
	return nil
}

// selectiveFieldCount is the number of fields of the runtime's
// SelectiveMetagraph, i.e. the indexes that select all of them; 0 when
// the metadata does not describe the result as Option<struct>.
func (c *Client) selectiveFieldCount() int {
	m := c.runtime().meta
	am, err := m.RuntimeAPIMethod(apiSubnetInfo, "get_selective_mechagraph")
	if err != nil {
		return 0
	}
	t, ok := m.Types.Type(am.Output)
	if !ok || len(t.Params) != 1 || t.Params[0].Type == nil {
		return 0
	}
	inner, ok := m.Types.Type(*t.Params[0].Type)
	if !ok {
		return 0
	}
	return len(inner.Fields)
}

// Mechagraph implements MechanismChain. It asks for every field of
// get_selective_mechagraph (as the Python SDK does), else uses
// get_mechagraph; a runtime with neither serves mechanism 0 through
// get_metagraph. Another mechanism than the subnet has is
// ErrMechanismDoesNotExist (checked here against MechanismCountCurrent at
// the same block: the selective call itself answers for any mecid), a
// missing subnet ErrNotFound.
//
// As the runtime's get_mechagraph builds it, NetUID is the storage index
// NetUIDIndex(netuid, mech) (the netuid itself for mechanism 0), and only
// Incentives and LastUpdate are the mechanism's own, returned as stored:
// empty or shorter than NumUIDs until the mechanism's weights and epochs
// have written them. Emission, dividends and the rest are the subnet's.
func (c *Client) Mechagraph(ctx context.Context, netuid NetUID, mech MechID, opts ...ReadOption) (*Metagraph, error) {
	var err error
	if mech != 0 {
		if opts, err = c.pinned(ctx, opts); err != nil {
			return nil, err
		}
		if err := c.checkMechanism(ctx, netuid, mech, opts); err != nil {
			return nil, err
		}
	}
	var (
		m   *metadata.Metadata
		am  *metadata.APIMethod
		raw []byte
	)
	switch nf := c.selectiveFieldCount(); {
	case nf > 0:
		idx := make([]uint16, nf)
		for i := range idx {
			idx[i] = uint16(i)
		}
		m, am, raw, err = c.callAPIRaw(ctx, apiSubnetInfo, "get_selective_mechagraph", true, opts, uint16(netuid), uint8(mech), idx)
	case c.hasAPI(apiSubnetInfo, "get_mechagraph"):
		m, am, raw, err = c.callAPIRaw(ctx, apiSubnetInfo, "get_mechagraph", true, opts, uint16(netuid), uint8(mech))
	case mech == 0:
		return c.Metagraph(ctx, netuid, opts...)
	default:
		// A runtime that stores mechanisms but serves no mechagraph.
		return nil, fmt.Errorf("%w: runtime has no get_mechagraph for mechanism %d", ErrRuntimeMetadata, mech)
	}
	if err != nil {
		return nil, err
	}
	mg, err := decodeMetagraph(m, am, raw)
	if err != nil {
		return nil, err
	}
	if mg == nil {
		return nil, fmt.Errorf("%w: subnet %d mechanism %d", ErrNotFound, netuid, mech)
	}
	// get_mechagraph reports the storage index NetUIDIndex(netuid, mech)
	// as netuid, the selective call the subnet's; both backends answer as
	// get_mechagraph does.
	mg.NetUID = NetUID(NetUIDIndex(netuid, mech))
	mg.fillAxonKeys()
	return mg, nil
}

// MechanismWeights implements MechanismChain: the Weights rows stored under
// NetUIDIndex(netuid, mech), through paged key iteration at one block.
func (c *Client) MechanismWeights(ctx context.Context, netuid NetUID, mech MechID, opts ...ReadOption) (map[UID][]WeightEntry, error) {
	return c.mechanismRows(ctx, "Weights", netuid, mech, opts)
}

// MechanismBonds implements MechanismChain: the Bonds rows stored under
// NetUIDIndex(netuid, mech), raw u16 values.
func (c *Client) MechanismBonds(ctx context.Context, netuid NetUID, mech MechID, opts ...ReadOption) (map[UID][]WeightEntry, error) {
	return c.mechanismRows(ctx, "Bonds", netuid, mech, opts)
}

func (c *Client) mechanismRows(ctx context.Context, item string, netuid NetUID, mech MechID, opts []ReadOption) (map[UID][]WeightEntry, error) {
	opts, err := c.pinned(ctx, opts)
	if err != nil {
		return nil, err
	}
	if err := c.checkMechanism(ctx, netuid, mech, opts); err != nil {
		return nil, err
	}
	return c.indexRows(ctx, item, NetUIDIndex(netuid, mech), opts)
}

// indexRows reads every row of the double map item (Weights or Bonds:
// netuid index, uid → Vec<(u16, u16)>) under one netuid index.
func (c *Client) indexRows(ctx context.Context, item string, index uint16, opts []ReadOption) (map[UID][]WeightEntry, error) {
	m, entries, err := c.iterateStorageRaw(ctx, PalletSubtensor, item, []any{index}, opts)
	if err != nil {
		return nil, err
	}
	return decodeWeightRows(m, item, entries)
}

// MechanismWeightCommits implements MechanismChain: WeightCommits under
// NetUIDIndex(netuid, mech).
func (c *Client) MechanismWeightCommits(ctx context.Context, netuid NetUID, mech MechID, hotkey AccountID, opts ...ReadOption) ([]WeightCommit, error) {
	if mech != 0 {
		var err error
		if opts, err = c.pinned(ctx, opts); err != nil {
			return nil, err
		}
		if err := c.checkMechanism(ctx, netuid, mech, opts); err != nil {
			return nil, err
		}
	}
	return c.weightCommits(ctx, NetUIDIndex(netuid, mech), hotkey, opts)
}

// ---- calls ----

// mechanismCallArgs returns the call name and arguments of a mechanism
// weights call, or of its subnet-wide twin for mechanism 0 on a runtime
// without the mechanism variant (name is "" when neither applies).
func (c *Client) mechanismCall(mechName, plainName string, netuid NetUID, mech MechID, rest ...any) (string, []any, error) {
	if c.hasCall(PalletSubtensor, mechName) {
		return mechName, append([]any{uint16(netuid), uint8(mech)}, rest...), nil
	}
	if mech == 0 && c.hasCall(PalletSubtensor, plainName) {
		return plainName, append([]any{uint16(netuid)}, rest...), nil
	}
	return "", nil, fmt.Errorf("%w: runtime (spec %d) has no %s", ErrRuntimeMetadata, c.runtime().specVersion, mechName)
}

// CommitMechanismWeights implements MechanismChain (commit_mechanism_weights;
// commit_weights for mechanism 0 on runtimes without it).
func (c *Client) CommitMechanismWeights(ctx context.Context, signer Signer, netuid NetUID, mech MechID, commit Hash) (*Receipt, error) {
	name, args, err := c.mechanismCall("commit_mechanism_weights", "commit_weights", netuid, mech, [32]byte(commit))
	if err != nil {
		return nil, err
	}
	return c.submit(ctx, signer, PalletSubtensor, name, args...)
}

// RevealMechanismWeights implements MechanismChain (reveal_mechanism_weights;
// reveal_weights for mechanism 0 on runtimes without it).
func (c *Client) RevealMechanismWeights(ctx context.Context, signer Signer, netuid NetUID, mech MechID, uids []UID, values []uint16, salt []uint16, versionKey uint64) (*Receipt, error) {
	name, args, err := c.mechanismCall("reveal_mechanism_weights", "reveal_weights", netuid, mech, u16s(uids), values, salt, versionKey)
	if err != nil {
		return nil, err
	}
	return c.submit(ctx, signer, PalletSubtensor, name, args...)
}

// mechanismCountCall encodes AdminUtils.sudo_set_mechanism_count.
func (c *Client) mechanismCountCall(netuid NetUID, count int) ([]byte, error) {
	if !c.hasCall(PalletAdminUtils, "sudo_set_mechanism_count") {
		return nil, fmt.Errorf("%w: runtime (spec %d) has no AdminUtils.sudo_set_mechanism_count", ErrRuntimeMetadata, c.runtime().specVersion)
	}
	if count < 0 || count > 255 {
		// Refused before submission, with the error the chain gives
		// for counts it refuses (localnet does the same).
		return nil, fmt.Errorf("%w: mechanism count %d does not fit the chain's u8", ErrInvalidValue, count)
	}
	return c.Call(PalletAdminUtils, "sudo_set_mechanism_count", uint16(netuid), uint8(count))
}

// mechanismSplitCall encodes AdminUtils.sudo_set_mechanism_emission_split
// (nil split: None, the even split).
func (c *Client) mechanismSplitCall(netuid NetUID, split []uint16) ([]byte, error) {
	if !c.hasCall(PalletAdminUtils, "sudo_set_mechanism_emission_split") {
		return nil, fmt.Errorf("%w: runtime (spec %d) has no AdminUtils.sudo_set_mechanism_emission_split", ErrRuntimeMetadata, c.runtime().specVersion)
	}
	var arg any // None
	if split != nil {
		arg = split
	}
	return c.Call(PalletAdminUtils, "sudo_set_mechanism_emission_split", uint16(netuid), arg)
}

// SetMechanismCount implements MechanismChain. The sudo key's call goes
// through Sudo.sudo, anyone else's (the subnet owner's) directly, as
// SetHyperparameter does.
func (c *Client) SetMechanismCount(ctx context.Context, signer Signer, netuid NetUID, count int) (*Receipt, error) {
	call, err := c.mechanismCountCall(netuid, count)
	if err != nil {
		return nil, err
	}
	return c.submitAdmin(ctx, signer, call)
}

// SetMechanismEmissionSplit implements MechanismChain.
func (c *Client) SetMechanismEmissionSplit(ctx context.Context, signer Signer, netuid NetUID, split []uint16) (*Receipt, error) {
	call, err := c.mechanismSplitCall(netuid, split)
	if err != nil {
		return nil, err
	}
	return c.submitAdmin(ctx, signer, call)
}

// submitAdmin submits an AdminUtils call, wrapped in Sudo.sudo when the
// signer holds the sudo key.
func (c *Client) submitAdmin(ctx context.Context, signer Signer, call []byte) (*Receipt, error) {
	if sudo, err := c.SudoKey(ctx); err == nil && sudo == SignerAccount(signer) {
		return c.Sudo(ctx, signer, call)
	}
	return c.SubmitCall(ctx, signer, call)
}
