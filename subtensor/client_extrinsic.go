package subtensor

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"math/bits"
	"strconv"
	"strings"
	"sync"

	"golang.org/x/crypto/blake2b"

	"github.com/gotensor/gotensor/subtensor/internal/metadata"
	"github.com/gotensor/gotensor/subtensor/internal/rpc"
)

// ErrUnsupportedExtension: the runtime asks for a signed extension whose
// extra or additional data is not empty and that this client does not know
// how to fill. Signing anyway would produce a transaction the node rejects.
var ErrUnsupportedExtension = errors.New("subtensor: unsupported signed extension")

// ErrSubmission: the node accepted the extrinsic into its pool but reported
// it dropped, invalid, usurped or retracted before it was included.
var ErrSubmission = errors.New("subtensor: extrinsic not included")

// signedExtrinsicVersion is byte 0 of a v4 signed extrinsic: 0x80 | 4.
const signedExtrinsicVersion = 0x84

// ---- nonce manager ----

// nonceManager hands out nonces per account so that concurrent submissions
// from one key never reuse a nonce: the next nonce is the larger of the
// node's system_accountNextIndex and one past the last one handed out.
type nonceManager struct {
	mu sync.Mutex
	m  map[AccountID]*nonceSlot
}

type nonceSlot struct {
	mu    sync.Mutex
	next  uint64
	valid bool
}

func (n *nonceManager) slot(a AccountID) *nonceSlot {
	n.mu.Lock()
	defer n.mu.Unlock()
	s, ok := n.m[a]
	if !ok {
		s = &nonceSlot{}
		n.m[a] = s
	}
	return s
}

// nextNonce reserves a nonce for account: the larger of the account's
// on-chain nonce (System.Account, a plain storage read: chopsticks answers
// it in milliseconds where system_accountNextIndex runs the runtime for
// about a second) and one past the last nonce handed out locally, which
// covers this client's own transactions still in the pool. Transactions
// another process has in the pool are not seen: their collision comes back
// as a stale or future nonce, after which the local view is reset.
func (c *Client) nextNonce(ctx context.Context, a AccountID) (uint64, error) {
	s := c.nonces.slot(a)
	s.mu.Lock()
	defer s.mu.Unlock()
	var info struct{ Nonce uint64 }
	if _, err := c.ReadStorage(ctx, "System", "Account", &info, []any{a}); err != nil {
		return 0, fmt.Errorf("subtensor: account nonce: %w", err)
	}
	n := info.Nonce
	if s.valid && s.next > n {
		n = s.next
	}
	s.next, s.valid = n+1, true
	return n, nil
}

// resetNonce forgets the local view of an account's nonce, so the next
// submission starts again from the node's (after a refused submission,
// whose nonce was never used, or a stale-nonce error).
func (c *Client) resetNonce(a AccountID) {
	s := c.nonces.slot(a)
	s.mu.Lock()
	s.valid = false
	s.mu.Unlock()
}

// ---- era ----

// mortalEra encodes a mortal era of the given period starting at current
// (sp_runtime::generic::Era::mortal): the period is rounded up to a power
// of two in [4, 65536], the phase is current mod period (quantized), and the
// two bytes carry log2(period)-1 in the low nibble and the quantized phase
// above it. It also returns the era's birth block, whose hash the signature
// covers.
func mortalEra(period, current uint64) ([]byte, uint64) {
	p := uint64(1)
	if period > 1 {
		p = uint64(1) << bits.Len64(period-1)
	}
	p = min(max(p, 4), 1<<16)
	phase := current % p
	quantize := max(p>>12, 1)
	qphase := phase / quantize * quantize
	enc := uint16(min(15, max(1, bits.TrailingZeros64(p)-1))) | uint16(qphase/quantize)<<4
	birth := (max(current, qphase)-qphase)/p*p + qphase
	return []byte{byte(enc), byte(enc >> 8)}, birth
}

// ---- extrinsic building ----

// txParams are the per-transaction values the signed extensions need.
type txParams struct {
	nonce       uint64
	tip         Balance
	eraPeriod   uint64 // 0: immortal
	eraCurrent  uint64
	eraBirth    Hash // hash of the era's birth block (genesis when immortal)
	genesis     Hash
	specVersion uint32
	txVersion   uint32
}

// signedParts builds the "extra" (in the extrinsic) and "additional"
// (signed only) bytes of every signed extension the metadata lists, in
// order.
func signedParts(m *metadata.Metadata, p txParams) (extra, additional []byte, err error) {
	return signedPartsFor(m, m.Extrinsic.SignedExtensions, p)
}

func signedPartsFor(m *metadata.Metadata, exts []metadata.SignedExtension, p txParams) (extra, additional []byte, err error) {
	for _, se := range exts {
		id := se.Identifier
		switch {
		case id == "CheckNonZeroSender", id == "CheckWeight":
			// both empty
		case id == "CheckSpecVersion":
			additional = appendU32(additional, p.specVersion)
		case id == "CheckTxVersion":
			additional = appendU32(additional, p.txVersion)
		case id == "CheckGenesis":
			additional = append(additional, p.genesis[:]...)
		case id == "CheckMortality" || id == "CheckEra":
			if p.eraPeriod == 0 {
				extra = append(extra, 0)
				additional = append(additional, p.genesis[:]...)
			} else {
				era, _ := mortalEra(p.eraPeriod, p.eraCurrent)
				extra = append(extra, era...)
				additional = append(additional, p.eraBirth[:]...)
			}
		case id == "CheckNonce":
			extra = appendCompact(extra, p.nonce)
		case strings.HasPrefix(id, "ChargeTransactionPayment"):
			extra = appendCompact(extra, uint64(p.tip))
		case id == "ChargeAssetTxPayment":
			extra = appendCompact(extra, uint64(p.tip))
			extra = append(extra, 0) // no asset id
		case id == "CheckMetadataHash":
			extra = append(extra, 0)           // mode: disabled
			additional = append(additional, 0) // None
		default:
			if m.MinSize(se.Type) != 0 || m.MinSize(se.AdditionalSigned) != 0 || !zeroSized(m, se.Type) || !zeroSized(m, se.AdditionalSigned) {
				return nil, nil, fmt.Errorf("%w: %s", ErrUnsupportedExtension, id)
			}
		}
	}
	return extra, additional, nil
}

// zeroSized reports whether every value of type id encodes to no bytes
// (empty tuples and structs of such).
func zeroSized(m *metadata.Metadata, id metadata.TypeID) bool {
	return zeroSizedDepth(m, id, 0)
}

func zeroSizedDepth(m *metadata.Metadata, id metadata.TypeID, depth int) bool {
	if depth > 16 {
		return false
	}
	t, ok := m.Types.Type(id)
	if !ok {
		return false
	}
	switch t.Kind {
	case metadata.KindComposite:
		for _, f := range t.Fields {
			if !zeroSizedDepth(m, f.Type, depth+1) {
				return false
			}
		}
		return true
	case metadata.KindTuple:
		for _, e := range t.Tuple {
			if !zeroSizedDepth(m, e, depth+1) {
				return false
			}
		}
		return true
	case metadata.KindArray:
		return t.Len == 0 || zeroSizedDepth(m, t.Elem, depth+1)
	}
	return false
}

// signingPayload is call ‖ extra ‖ additional, hashed with blake2-256 when
// longer than 256 bytes.
func signingPayload(call, extra, additional []byte) []byte {
	p := make([]byte, 0, len(call)+len(extra)+len(additional))
	p = append(append(append(p, call...), extra...), additional...)
	if len(p) > 256 {
		h := blake2b.Sum256(p)
		return h[:]
	}
	return p
}

// assembleExtrinsic builds the signed v4 extrinsic with its compact length
// prefix: version ‖ MultiAddress::Id(signer) ‖ MultiSignature::Sr25519(sig)
// ‖ extra ‖ call.
func assembleExtrinsic(signer AccountID, sig []byte, extra, call []byte) []byte {
	body := make([]byte, 0, 1+33+65+len(extra)+len(call))
	body = append(body, signedExtrinsicVersion, 0x00)
	body = append(body, signer[:]...)
	body = append(body, 0x01)
	body = append(body, sig...)
	body = append(body, extra...)
	body = append(body, call...)
	return append(appendCompact(nil, uint64(len(body))), body...)
}

func appendU32(b []byte, v uint32) []byte {
	return append(b, byte(v), byte(v>>8), byte(v>>16), byte(v>>24))
}

// SignedExtrinsic is an extrinsic ready to submit.
type SignedExtrinsic struct {
	Bytes []byte
	Nonce uint64
	// Hash is blake2-256 of Bytes, the transaction hash nodes report.
	Hash Hash
}

// SubmitOptions tunes one submission.
type SubmitOptions struct {
	// Nonce overrides the nonce manager when non-nil.
	Nonce *uint64
	// Finalized waits for finalization instead of inclusion.
	Finalized bool
}

// signCall signs call with the client's current runtime and the signer's
// next nonce.
func (c *Client) signCall(ctx context.Context, signer Signer, call []byte, nonce *uint64) (*SignedExtrinsic, error) {
	rt := c.runtime()
	who := SignerAccount(signer)
	p := txParams{tip: c.cfg.tip, eraPeriod: c.cfg.era, genesis: c.genesis, specVersion: rt.specVersion, txVersion: rt.txVersion}
	if p.eraPeriod != 0 {
		n, h, err := c.head(ctx)
		if err != nil {
			return nil, err
		}
		_, birth := mortalEra(p.eraPeriod, n)
		p.eraCurrent = n
		if birth == n {
			p.eraBirth = h
		} else if p.eraBirth, err = c.BlockHash(ctx, birth); err != nil {
			return nil, err
		}
	}
	if nonce != nil {
		p.nonce = *nonce
	} else {
		n, err := c.nextNonce(ctx, who)
		if err != nil {
			return nil, err
		}
		p.nonce = n
	}
	extra, additional, err := signedParts(rt.meta, p)
	if err != nil {
		return nil, err
	}
	sig, err := signer.Sign(signingPayload(call, extra, additional))
	if err != nil {
		return nil, fmt.Errorf("subtensor: sign: %w", err)
	}
	if len(sig) != 64 {
		return nil, fmt.Errorf("subtensor: sign: signature is %d bytes, want 64", len(sig))
	}
	xt := assembleExtrinsic(who, sig, extra, call)
	return &SignedExtrinsic{Bytes: xt, Nonce: p.nonce, Hash: blake2b.Sum256(xt)}, nil
}

// Call builds the call bytes of pallet.name with positional arguments
// encoded through the runtime's metadata.
func (c *Client) Call(pallet, name string, args ...any) ([]byte, error) {
	b, err := c.runtime().meta.EncodeCall(pallet, name, args...)
	if err != nil {
		return nil, fmt.Errorf("subtensor: encode %s.%s: %w", pallet, name, err)
	}
	return b, nil
}

// hasCall reports whether the runtime has pallet.name.
func (c *Client) hasCall(pallet, name string) bool {
	_, err := c.runtime().meta.Call(pallet, name)
	return err == nil
}

// SubmitCall signs call (bytes from Call) with signer and submits it,
// waiting for inclusion (or finalization, see WithWaitForFinalization).
// The result follows the Chain contract: a dispatch failure returns the
// receipt and its *ModuleError; a refusal by the pool returns a nil receipt
// and an *InvalidTransactionError.
func (c *Client) SubmitCall(ctx context.Context, signer Signer, call []byte, opts ...func(*SubmitOptions)) (*Receipt, error) {
	so := SubmitOptions{Finalized: c.cfg.finalized}
	for _, o := range opts {
		o(&so)
	}
	who := SignerAccount(signer)
	xt, err := c.signCall(ctx, signer, call, so.Nonce)
	if err != nil {
		if so.Nonce == nil {
			c.resetNonce(who)
		}
		return nil, err
	}
	rc, accepted, err := c.submitAndWatch(ctx, xt, so.Finalized)
	if err != nil && !accepted && so.Nonce == nil {
		// The pool refused it, so its nonce is still free. (Once accepted,
		// the nonce stays taken even if we stop watching.)
		c.resetNonce(who)
	}
	return rc, err
}

// WithNonce submits with an explicit nonce instead of the nonce manager's.
func WithNonce(n uint64) func(*SubmitOptions) {
	return func(o *SubmitOptions) { o.Nonce = &n }
}

type txStatus struct {
	name string
	hash string
}

func parseStatus(raw json.RawMessage) (txStatus, error) {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return txStatus{name: s}, nil
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil || len(m) != 1 {
		return txStatus{}, fmt.Errorf("%w: extrinsic status %s", ErrMalformedResponse, truncate(string(raw), 80))
	}
	for k, v := range m {
		var h string
		_ = json.Unmarshal(v, &h)
		return txStatus{name: k, hash: h}, nil
	}
	return txStatus{}, nil
}

// submitAndWatch submits xt and follows it to inclusion; accepted reports
// whether the node took it into its pool.
func (c *Client) submitAndWatch(ctx context.Context, xt *SignedExtrinsic, finalized bool) (_ *Receipt, accepted bool, _ error) {
	xtHex := "0x" + hex.EncodeToString(xt.Bytes)
	sub, err := c.rpc.Subscribe(ctx, "author_submitAndWatchExtrinsic", "author_unwatchExtrinsic", "author_extrinsicUpdate", xtHex)
	if err != nil {
		return nil, false, poolError(err)
	}
	defer sub.Unsubscribe()
	rc, err := c.watch(ctx, sub, xt, finalized)
	return rc, true, err
}

func (c *Client) watch(ctx context.Context, sub *rpc.Subscription, xt *SignedExtrinsic, finalized bool) (*Receipt, error) {
	var inBlock string
	for {
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case err, ok := <-sub.Err():
			if ok && err != nil {
				return nil, fmt.Errorf("subtensor: watching extrinsic %s: %w", xt.Hash, err)
			}
		case n, ok := <-sub.Notifications():
			if !ok {
				return nil, fmt.Errorf("subtensor: watching extrinsic %s: subscription ended", xt.Hash)
			}
			st, err := parseStatus(n.Result)
			if err != nil {
				return nil, err
			}
			switch st.name {
			case "inBlock":
				inBlock = st.hash
				if !finalized {
					return c.receipt(ctx, xt, st.hash)
				}
			case "finalized":
				return c.receipt(ctx, xt, st.hash)
			case "retracted":
				inBlock = ""
			case "dropped", "invalid", "usurped", "finalityTimeout":
				if st.name == "finalityTimeout" && inBlock != "" {
					return c.receipt(ctx, xt, inBlock)
				}
				return nil, fmt.Errorf("%w: %s (%s)", ErrSubmission, st.name, xt.Hash)
			}
		}
	}
}

// poolError turns a node's refusal of a submission into the typed error.
func poolError(err error) error {
	var re *rpc.Error
	if !errors.As(err, &re) {
		return err
	}
	kind := re.InvalidTransactionKind()
	names := map[string]string{
		"call": "Call", "payment": "Payment", "future": "Future", "stale": "Stale", "badproof": "BadProof",
		"ancientbirthblock": "AncientBirthBlock", "exhaustsresources": "ExhaustsResources", "custom": "Custom",
		"badmandatory": "BadMandatory", "mandatoryvalidation": "MandatoryValidation", "badsigner": "BadSigner",
	}
	if name, ok := names[kind]; ok {
		ite := &InvalidTransactionError{Kind: name, Detail: truncate(re.Message+" "+re.DataString(), 200)}
		if name == "Custom" {
			ite.Custom = customCode(re)
			if me := customTxError(ite.Custom); me != nil {
				return &customInvalidError{ite: ite, me: me}
			}
		}
		return ite
	}
	switch re.Code {
	case rpc.CodeInvalidTransaction, rpc.CodeUnknownValidity, rpc.CodeTemporarilyBanned, rpc.CodeAlreadyImported, rpc.CodeTooLowPriority, rpc.CodeImmediatelyDropped:
		return &InvalidTransactionError{Kind: "Pool", Detail: truncate(re.Error(), 200)}
	}
	return err
}

// customCode extracts n from InvalidTransaction::Custom(n) in either the
// node's ("Custom error: n") or chopsticks' ({"invalid":{"custom":n}}) form.
func customCode(re *rpc.Error) uint8 {
	for _, text := range []string{re.DataString(), re.Message} {
		if rest, ok := strings.CutPrefix(text, "Custom error: "); ok {
			if v, err := strconv.ParseUint(strings.TrimSpace(rest), 10, 8); err == nil {
				return uint8(v)
			}
		}
		var v struct {
			Invalid struct {
				Custom *uint8 `json:"custom"`
			} `json:"invalid"`
		}
		if json.Unmarshal([]byte(text), &v) == nil && v.Invalid.Custom != nil {
			return *v.Invalid.Custom
		}
	}
	return 0
}

// customTxError maps subtensor's CustomTransactionError codes (0
// ColdkeyInSwapSchedule, 1 StakeAmountTooLow, 2 BalanceTooLow, 3
// SubnetDoesntExist, 4 HotkeyAccountDoesntExist, 5 NotEnoughStakeToWithdraw,
// 6 RateLimitExceeded, 7 InsufficientLiquidity, 8 SlippageTooHigh, 9
// TransferDisallowed, 10 HotKeyNotRegisteredInNetwork, 11 InvalidIpAddress,
// 12 ServingRateLimitExceeded, 13 InvalidPort; the runtime's
// transaction extension refuses some calls in the pool with these instead
// of dispatching them) to the pallet error the dispatch would have raised,
// so callers can match either.
func customTxError(code uint8) *ModuleError {
	switch code {
	case 1:
		return ErrAmountTooLow
	case 2:
		return ErrNotEnoughBalanceToStake
	case 3:
		return ErrSubnetNotExists
	case 4:
		return ErrHotKeyAccountNotExists
	case 5:
		return ErrNotEnoughStakeToWithdraw
	case 6:
		return ErrTxRateLimitExceeded
	case 7:
		return ErrInsufficientLiquidity
	case 8:
		return SubtensorError("SlippageTooHigh")
	case 9:
		return SubtensorError("TransferDisallowed")
	case 10:
		return ErrHotKeyNotRegisteredInNetwork
	case 11:
		return ErrInvalidIPAddress
	case 12:
		return ErrServingRateLimitExceeded
	case 13:
		return ErrInvalidPort
	}
	return nil
}

// customInvalidError is a pool refusal (InvalidTransaction::Custom) that
// also matches the pallet error it stands for.
type customInvalidError struct {
	ite *InvalidTransactionError
	me  *ModuleError
}

func (e *customInvalidError) Error() string {
	return e.ite.Error() + " (" + e.me.Pallet + "." + e.me.Name + ")"
}
func (e *customInvalidError) Unwrap() []error { return []error{e.ite, e.me} }

type block struct {
	Block struct {
		Header     header   `json:"header"`
		Extrinsics []string `json:"extrinsics"`
	} `json:"block"`
}

// receipt locates the extrinsic in the block and decodes its events.
func (c *Client) receipt(ctx context.Context, xt *SignedExtrinsic, blockHashHex string) (*Receipt, error) {
	bh, err := parseHash(blockHashHex)
	if err != nil {
		return nil, err
	}
	var b *block
	if err := c.rpc.Call(ctx, &b, "chain_getBlock", bh.String()); err != nil {
		return nil, err
	}
	if b == nil {
		return nil, fmt.Errorf("%w: block %s not found", ErrMalformedResponse, bh)
	}
	want := "0x" + hex.EncodeToString(xt.Bytes)
	idx := -1
	for i, e := range b.Block.Extrinsics {
		if strings.EqualFold(e, want) {
			idx = i
			break
		}
	}
	if idx < 0 {
		return nil, fmt.Errorf("%w: extrinsic %s not in block %s", ErrSubmission, xt.Hash, bh)
	}
	num, err := parseHexUint(b.Block.Header.Number)
	if err != nil {
		return nil, err
	}
	rc := &Receipt{BlockNumber: num, BlockHash: bh, ExtrinsicIndex: uint32(idx), ExtrinsicHash: xt.Hash}
	m := c.runtime().meta
	key, err := m.StorageKey("System", "Events")
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrRuntimeMetadata, err)
	}
	raw, err := c.storageRaw(ctx, key, ReadOptions{At: bh})
	if err != nil {
		return nil, err
	}
	recs, err := m.DecodeEvents(raw)
	if err != nil {
		return nil, fmt.Errorf("%w: events: %w", ErrMalformedResponse, err)
	}
	failed := false
	for _, r := range recs {
		if r.Phase.Kind != "ApplyExtrinsic" || r.Phase.ExtrinsicIndex != uint32(idx) {
			continue
		}
		ev := convertEvent(m, r)
		rc.Events = append(rc.Events, ev)
		switch {
		case r.Pallet == "System" && r.Name == "ExtrinsicFailed":
			failed = true
			rc.Err = dispatchError(m, fieldOf(r.Fields, "dispatch_error", 0))
		case r.Pallet == "TransactionPayment" && r.Name == "TransactionFeePaid":
			if f, ok := ev.Fields["actual_fee"].(Balance); ok {
				rc.Fee = f
			}
		case r.Pallet == "Sudo" && r.Name == "Sudid" && !failed:
			// Sudo.sudo succeeds as an extrinsic even when the call it
			// wraps fails; the inner result is in the event.
			if res, ok := fieldOf(r.Fields, "sudo_result", 0).(metadata.EnumValue); ok && res.Name == "Err" {
				rc.Err = dispatchError(m, res.Value)
			}
		}
	}
	return rc, rc.Err
}

func fieldOf(fields any, name string, pos int) any {
	switch f := fields.(type) {
	case map[string]any:
		return f[name]
	case []any:
		if pos < len(f) {
			return f[pos]
		}
	}
	return nil
}

// dispatchError converts a decoded sp_runtime::DispatchError into a
// *ModuleError (pallet errors by name and docs; Token and other variants
// under the pseudo-pallets Token and Dispatch).
func dispatchError(m *metadata.Metadata, v any) error {
	err := m.DispatchErrorFrom(v)
	var me *metadata.ModuleError
	var de *metadata.DispatchError
	switch {
	case errors.As(err, &me):
		if me.Name == "" {
			return &ModuleError{Pallet: fmt.Sprintf("pallet#%d", me.PalletIndex), Name: fmt.Sprintf("error#%d", me.ErrorIndex)}
		}
		docs := strings.Join(me.Docs, " ")
		name := me.Name
		if cur, ok := renamedErrors[me.Pallet+"."+me.Name]; ok {
			// Older runtimes spell some errors differently; report the
			// current name so errors.Is with the sentinels works on every
			// runtime, and keep the runtime's own name in the docs.
			name = cur
			docs = strings.TrimSpace(docs + " (this runtime calls it " + me.Name + ")")
		}
		return &ModuleError{Pallet: me.Pallet, Name: name, Docs: docs}
	case errors.As(err, &de):
		switch de.Kind {
		case "Token":
			return &ModuleError{Pallet: PalletToken, Name: de.Detail}
		case "Arithmetic", "Transactional":
			return &ModuleError{Pallet: PalletDispatch, Name: de.Detail}
		}
		return &ModuleError{Pallet: PalletDispatch, Name: de.Kind, Docs: de.Detail}
	}
	return fmt.Errorf("%w: dispatch error: %v", ErrMalformedResponse, err)
}

// renamedErrors maps pallet errors that older runtimes (spec 300 and
// earlier) name differently to their current names.
var renamedErrors = map[string]string{
	PalletSubtensor + ".SubNetworkDoesNotExist": "SubnetNotExists",
}

// unnamedEventFields names the positional fields of SubtensorModule events
// (declared as tuples in the pallet), with the names localnet uses.
var unnamedEventFields = map[string][]string{
	"NeuronRegistered":            {"netuid", "uid", "hotkey"},
	"NetworkAdded":                {"netuid", "mechanism"},
	"NetworkRemoved":              {"netuid"},
	"AxonServed":                  {"netuid", "hotkey"},
	"PrometheusServed":            {"netuid", "hotkey"},
	"StakeAdded":                  {"coldkey", "hotkey", "tao", "alpha", "netuid", "fee"},
	"StakeRemoved":                {"coldkey", "hotkey", "tao", "alpha", "netuid", "fee"},
	"WeightsSet":                  {"netuid_index", "uid"},
	"WeightsCommitted":            {"hotkey", "netuid_index", "hash"},
	"WeightsRevealed":             {"hotkey", "netuid_index", "hash"},
	"FirstEmissionBlockNumberSet": {"netuid", "block"},
	"BulkNeuronsRegistered":       {"netuid", "count"},
}

// convertEvent turns a decoded event record into an Event with named
// fields and subtensor Go types (AccountID, Balance, NetUID, UID).
func convertEvent(m *metadata.Metadata, r metadata.EventRecord) Event {
	ev := Event{Pallet: r.Pallet, Name: r.Name, Fields: map[string]any{}}
	vi, err := m.EventByName(r.Pallet, r.Name)
	var fields []metadata.Field
	if err == nil {
		fields = vi.Fields
	}
	name := func(i int) string {
		if i < len(fields) && fields[i].Name != "" {
			return fields[i].Name
		}
		if names, ok := unnamedEventFields[r.Name]; ok && r.Pallet == PalletSubtensor && i < len(names) {
			return names[i]
		}
		return "arg" + strconv.Itoa(i)
	}
	typeName := func(i int) string {
		if i < len(fields) {
			return fields[i].TypeName
		}
		return ""
	}
	switch f := r.Fields.(type) {
	case map[string]any:
		for i, fd := range fields {
			ev.Fields[fd.Name] = convertEventValue(fd.Name, fd.TypeName, f[fd.Name])
			_ = i
		}
		if len(fields) == 0 {
			for k, v := range f {
				ev.Fields[k] = v
			}
		}
	case []any:
		for i, v := range f {
			ev.Fields[name(i)] = convertEventValue(name(i), typeName(i), v)
		}
	case nil:
	default:
		ev.Fields[name(0)] = convertEventValue(name(0), typeName(0), f)
	}
	return ev
}

func convertEventValue(name, typeName string, v any) any {
	switch {
	case strings.Contains(typeName, "AccountId"):
		if b, ok := v.([32]byte); ok {
			return AccountID(b)
		}
	case strings.Contains(typeName, "NetUid") && !strings.Contains(name, "index"):
		if x, ok := v.(uint16); ok {
			return NetUID(x)
		}
	case strings.Contains(typeName, "Balance") || strings.Contains(typeName, "Currency") || name == "actual_fee" || name == "tip" || name == "amount":
		switch x := v.(type) {
		case uint64:
			return Balance(x)
		case *big.Int:
			if x.IsUint64() {
				return Balance(x.Uint64())
			}
		}
	case name == "uid":
		if x, ok := v.(uint16); ok {
			return UID(x)
		}
	}
	return v
}
