package localnet

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"

	"golang.org/x/crypto/blake2b"

	st "github.com/gotensor/gotensor/subtensor"
	"github.com/gotensor/gotensor/wallet"
)

var authorAccount = st.AccountID(blake2b.Sum256([]byte("gotensor/localnet/block-author")))

// call is one extrinsic call: its SCALE bytes (pallet index, call index,
// arguments — the chain's layout for the Balances and SubtensorModule calls
// localnet offers) and the dispatch function applied to the state.
type call struct {
	pallet, name string
	data         []byte
	paysFee      bool
	dispatch     func(s *state, who st.AccountID) ([]st.Event, error)
}

// signingPayload is what the signer signs: call ‖ Compact(nonce) ‖ genesis
// hash. (The real chain's payload also carries era, tip, spec and tx
// versions; localnet has none of those to protect.)
func signingPayload(c *call, nonce uint32, genesis st.Hash) []byte {
	b := make([]byte, 0, len(c.data)+5+32)
	b = append(b, c.data...)
	b = appendCompact(b, uint64(nonce))
	return append(b, genesis[:]...)
}

// submit signs c with signer at the account's next nonce and applies it.
// The nonce is read and the call signed under the chain's lock, so that
// concurrent calls from one account are applied one after another instead
// of failing with a stale nonce.
func (c *Chain) submit(ctx context.Context, signer st.Signer, cl *call) (*st.Receipt, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if signer == nil {
		return nil, errors.New("localnet: nil signer")
	}
	who := st.AccountID(signer.PublicKey())
	c.mu.Lock()
	defer c.mu.Unlock()
	n := uint32(0)
	if a, ok := c.s.accounts[who]; ok {
		n = a.nonce
	}
	sig, err := signer.Sign(signingPayload(cl, n, c.genesis))
	if err != nil {
		return nil, fmt.Errorf("localnet: sign %s.%s: %w", cl.pallet, cl.name, err)
	}
	return c.applyLocked(who, n, sig, cl)
}

// apply verifies a signed call and dispatches it at the head block. An
// invalid transaction leaves no trace; a failed dispatch still bumps the
// nonce (and would pay the fee) and returns the receipt with the error.
func (c *Chain) apply(who st.AccountID, nonce uint32, sig []byte, cl *call) (*st.Receipt, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.applyLocked(who, nonce, sig, cl)
}

func (c *Chain) applyLocked(who st.AccountID, nonce uint32, sig []byte, cl *call) (*st.Receipt, error) {
	s := c.s
	if !wallet.VerifyPublicKey([32]byte(who), signingPayload(cl, nonce, c.genesis), sig) {
		return nil, &st.InvalidTransactionError{Kind: "BadProof", Detail: "signature does not verify for " + who.String()}
	}
	cur := uint32(0)
	if a, ok := s.accounts[who]; ok {
		cur = a.nonce
	}
	switch {
	case nonce < cur:
		return nil, &st.InvalidTransactionError{Kind: "Stale", Detail: fmt.Sprintf("nonce %d, account is at %d", nonce, cur)}
	case nonce > cur:
		return nil, &st.InvalidTransactionError{Kind: "Future", Detail: fmt.Sprintf("nonce %d, account is at %d", nonce, cur)}
	}
	if cl.paysFee && s.free(who) == 0 {
		return nil, &st.InvalidTransactionError{Kind: "Payment", Detail: "the signer cannot pay the fee"}
	}
	s.acct(who).nonce++
	index := s.extrinsics
	s.extrinsics++
	events, err := cl.dispatch(s, who)
	payload := signingPayload(cl, nonce, c.genesis)
	rc := &st.Receipt{
		BlockNumber:    s.block,
		BlockHash:      s.hashes[s.block],
		ExtrinsicIndex: index,
		ExtrinsicHash:  st.Hash(blake2b.Sum256(append(payload, sig...))),
	}
	if err != nil {
		rc.Err = err
		rc.Events = []st.Event{ev("System", "ExtrinsicFailed", "error", err.Error())}
		c.log.Debug("localnet extrinsic failed", "call", cl.pallet+"."+cl.name, "who", who.String(), "err", err)
		return rc, err
	}
	rc.Events = append(events, ev("System", "ExtrinsicSuccess"))
	c.log.Debug("localnet extrinsic", "call", cl.pallet+"."+cl.name, "who", who.String(), "block", s.block)
	return rc, nil
}

func appendCompact(b []byte, v uint64) []byte {
	switch {
	case v < 1<<6:
		return append(b, byte(v<<2))
	case v < 1<<14:
		return binary.LittleEndian.AppendUint16(b, uint16(v<<2|1))
	case v < 1<<30:
		return binary.LittleEndian.AppendUint32(b, uint32(v<<2|2))
	}
	n := 0
	for x := v; x > 0; x >>= 8 {
		n++
	}
	b = append(b, byte((n-4)<<2|3))
	for i := 0; i < n; i++ {
		b = append(b, byte(v>>(8*i)))
	}
	return b
}

// enc builds call bytes.
type enc []byte

func newCall(pallet, callIdx byte) enc { return enc{pallet, callIdx} }
func (e enc) u8(v uint8) enc           { return append(e, v) }
func (e enc) u16(v uint16) enc         { return binary.LittleEndian.AppendUint16(e, v) }
func (e enc) u32(v uint32) enc         { return binary.LittleEndian.AppendUint32(e, v) }
func (e enc) u64(v uint64) enc         { return binary.LittleEndian.AppendUint64(e, v) }
func (e enc) acct(a st.AccountID) enc  { return append(e, a[:]...) }
func (e enc) compact(v uint64) enc     { return appendCompact(e, v) }
func (e enc) u16s(v []uint16) enc {
	e = e.compact(uint64(len(v)))
	for _, x := range v {
		e = e.u16(x)
	}
	return e
}
func (e enc) uids(v []st.UID) enc {
	e = e.compact(uint64(len(v)))
	for _, x := range v {
		e = e.u16(uint16(x))
	}
	return e
}

const (
	palletBalances   = 5
	palletSubtensor  = 7
	palletAdminUtils = 19
)

// Transfer implements subtensor.Chain.
func (c *Chain) Transfer(ctx context.Context, signer st.Signer, dest st.AccountID, amount st.Balance, keepAlive bool) (*st.Receipt, error) {
	idx, name := byte(0), "transfer_allow_death"
	if keepAlive {
		idx, name = 3, "transfer_keep_alive"
	}
	// MultiAddress::Id(dest), Compact<u128> value.
	data := newCall(palletBalances, idx).u8(0).acct(dest).compact(uint64(amount))
	return c.submit(ctx, signer, &call{pallet: st.PalletBalances, name: name, data: data, paysFee: true,
		dispatch: func(s *state, who st.AccountID) ([]st.Event, error) {
			return s.transfer(who, dest, uint64(amount), keepAlive)
		}})
}

// ExistentialDeposit is the minimum balance of an account, in rao.
const ExistentialDeposit = 500

func (s *state) transfer(from, to st.AccountID, amount uint64, keepAlive bool) ([]st.Event, error) {
	have := s.free(from)
	if amount > have {
		return nil, st.ErrFundsUnavailable
	}
	rest := have - amount
	if keepAlive && rest < ExistentialDeposit && from != to {
		return nil, st.ErrFundsUnavailable
	}
	if from == to || amount == 0 {
		// Nothing moves (a zero deposit never fails the existential check).
		return []st.Event{ev(st.PalletBalances, "Transfer", "from", from, "to", to, "amount", st.Balance(amount))}, nil
	}
	if s.free(to)+amount < ExistentialDeposit {
		return nil, st.ErrBelowMinimum
	}
	s.acct(from).free = rest
	s.acct(to).free += amount
	events := []st.Event{ev(st.PalletBalances, "Transfer", "from", from, "to", to, "amount", st.Balance(amount))}
	if rest < ExistentialDeposit && rest > 0 {
		// The dust of a reaped account is destroyed (DustLost).
		s.acct(from).free = 0
		s.issuance -= rest
		events = append(events, ev(st.PalletBalances, "DustLost", "account", from, "amount", st.Balance(rest)))
	}
	return events, nil
}

// BurnedRegister implements subtensor.Chain.
func (c *Chain) BurnedRegister(ctx context.Context, signer st.Signer, netuid st.NetUID, hotkey st.AccountID) (*st.Receipt, error) {
	data := newCall(palletSubtensor, 7).u16(uint16(netuid)).acct(hotkey)
	return c.submit(ctx, signer, &call{pallet: st.PalletSubtensor, name: "burned_register", data: data, paysFee: true,
		dispatch: func(s *state, who st.AccountID) ([]st.Event, error) { return s.burnedRegister(who, netuid, hotkey) }})
}

// RootRegister implements subtensor.Chain.
func (c *Chain) RootRegister(ctx context.Context, signer st.Signer, hotkey st.AccountID) (*st.Receipt, error) {
	data := newCall(palletSubtensor, 62).acct(hotkey)
	return c.submit(ctx, signer, &call{pallet: st.PalletSubtensor, name: "root_register", data: data, paysFee: true,
		dispatch: func(s *state, who st.AccountID) ([]st.Event, error) { return s.rootRegister(who, hotkey) }})
}

// RegisterNetwork implements subtensor.Chain.
func (c *Chain) RegisterNetwork(ctx context.Context, signer st.Signer, hotkey st.AccountID) (*st.Receipt, error) {
	data := newCall(palletSubtensor, 59).acct(hotkey)
	return c.submit(ctx, signer, &call{pallet: st.PalletSubtensor, name: "register_network", data: data, paysFee: true,
		dispatch: func(s *state, who st.AccountID) ([]st.Event, error) { return s.registerNetwork(who, hotkey) }})
}

// StartCall implements subtensor.Chain.
func (c *Chain) StartCall(ctx context.Context, signer st.Signer, netuid st.NetUID) (*st.Receipt, error) {
	data := newCall(palletSubtensor, 92).u16(uint16(netuid))
	return c.submit(ctx, signer, &call{pallet: st.PalletSubtensor, name: "start_call", data: data, paysFee: true,
		dispatch: func(s *state, who st.AccountID) ([]st.Event, error) { return s.startCall(who, netuid) }})
}

// ServeAxon implements subtensor.Chain.
func (c *Chain) ServeAxon(ctx context.Context, signer st.Signer, p st.ServeAxonParams) (*st.Receipt, error) {
	data := newCall(palletSubtensor, 4).u16(uint16(p.NetUID)).u32(p.Version).u64(p.IP.Lo).u64(p.IP.Hi).
		u16(p.Port).u8(p.IPType).u8(p.Protocol).u8(p.Placeholder1).u8(p.Placeholder2)
	allow := c.cfg.allowLoopback
	return c.submit(ctx, signer, &call{pallet: st.PalletSubtensor, name: "serve_axon", data: data,
		dispatch: func(s *state, who st.AccountID) ([]st.Event, error) { return s.serveAxon(who, p, allow) }})
}

// SetWeights implements subtensor.Chain.
func (c *Chain) SetWeights(ctx context.Context, signer st.Signer, netuid st.NetUID, uids []st.UID, values []uint16, versionKey uint64) (*st.Receipt, error) {
	data := newCall(palletSubtensor, 0).u16(uint16(netuid)).uids(uids).u16s(values).u64(versionKey)
	return c.submit(ctx, signer, &call{pallet: st.PalletSubtensor, name: "set_weights", data: data,
		dispatch: func(s *state, who st.AccountID) ([]st.Event, error) {
			return s.setWeights(who, netuid, 0, uids, values, versionKey)
		}})
}

// CommitWeights implements subtensor.Chain.
func (c *Chain) CommitWeights(ctx context.Context, signer st.Signer, netuid st.NetUID, commit st.Hash) (*st.Receipt, error) {
	data := append(newCall(palletSubtensor, 96).u16(uint16(netuid)), commit[:]...)
	return c.submit(ctx, signer, &call{pallet: st.PalletSubtensor, name: "commit_weights", data: data,
		dispatch: func(s *state, who st.AccountID) ([]st.Event, error) { return s.commitWeights(who, netuid, 0, commit) }})
}

// RevealWeights implements subtensor.Chain.
func (c *Chain) RevealWeights(ctx context.Context, signer st.Signer, netuid st.NetUID, uids []st.UID, values []uint16, salt []uint16, versionKey uint64) (*st.Receipt, error) {
	data := newCall(palletSubtensor, 97).u16(uint16(netuid)).uids(uids).u16s(values).u16s(salt).u64(versionKey)
	return c.submit(ctx, signer, &call{pallet: st.PalletSubtensor, name: "reveal_weights", data: data,
		dispatch: func(s *state, who st.AccountID) ([]st.Event, error) {
			return s.revealWeights(who, netuid, 0, uids, values, salt, versionKey)
		}})
}

// AddStake implements subtensor.Chain.
func (c *Chain) AddStake(ctx context.Context, signer st.Signer, hotkey st.AccountID, netuid st.NetUID, amount st.Balance) (*st.Receipt, error) {
	data := newCall(palletSubtensor, 2).acct(hotkey).u16(uint16(netuid)).u64(uint64(amount))
	return c.submit(ctx, signer, &call{pallet: st.PalletSubtensor, name: "add_stake", data: data, paysFee: true,
		dispatch: func(s *state, who st.AccountID) ([]st.Event, error) {
			return s.addStake(who, hotkey, netuid, uint64(amount))
		}})
}

// RemoveStake implements subtensor.Chain.
func (c *Chain) RemoveStake(ctx context.Context, signer st.Signer, hotkey st.AccountID, netuid st.NetUID, alpha st.Balance) (*st.Receipt, error) {
	data := newCall(palletSubtensor, 3).acct(hotkey).u16(uint16(netuid)).u64(uint64(alpha))
	return c.submit(ctx, signer, &call{pallet: st.PalletSubtensor, name: "remove_stake", data: data, paysFee: true,
		dispatch: func(s *state, who st.AccountID) ([]st.Event, error) {
			return s.removeStake(who, hotkey, netuid, uint64(alpha))
		}})
}
