package subtensor

import (
	"fmt"
	"reflect"

	"github.com/gotensor/gotensor/subtensor/internal/metadata"
	"github.com/gotensor/gotensor/subtensor/scale"
)

type mgField = knownField[Metagraph]

func mgCU16[T ~uint16 | ~uint64](name string, p func(*Metagraph) *T) mgField {
	return mgField{name, compactSh(metadata.PrimU16), func(r *fastReader, mg *Metagraph) error {
		v, err := r.cu16()
		*p(mg) = T(v)
		return err
	}}
}

func mgCU64[T ~uint64](name string, p func(*Metagraph) *T) mgField {
	return mgField{name, compactSh(metadata.PrimU64), func(r *fastReader, mg *Metagraph) error {
		v, err := r.cu64()
		*p(mg) = T(v)
		return err
	}}
}

func mgBool(name string, p func(*Metagraph) *bool) mgField {
	return mgField{name, boolSh, func(r *fastReader, mg *Metagraph) error {
		v, err := r.d.Bool()
		*p(mg) = v
		return err
	}}
}

func mgAccount(name string, p func(*Metagraph) *AccountID) mgField {
	return mgField{name, accountSh, func(r *fastReader, mg *Metagraph) error {
		v, err := r.account()
		*p(mg) = v
		return err
	}}
}

func mgName(name string, p func(*Metagraph) *string) mgField {
	return mgField{name, vecSh(compactSh(metadata.PrimU8)), func(r *fastReader, mg *Metagraph) error {
		return r.compactByteString(p(mg))
	}}
}

func mgVecCU16(name string, p func(*Metagraph) *[]uint16) mgField {
	return mgField{name, vecSh(compactSh(metadata.PrimU16)), func(r *fastReader, mg *Metagraph) error {
		v, err := compactVec[uint16](r, 16)
		*p(mg) = v
		return err
	}}
}

func mgVecCU64[T ~uint64](name string, p func(*Metagraph) *[]T) mgField {
	return mgField{name, vecSh(compactSh(metadata.PrimU64)), func(r *fastReader, mg *Metagraph) error {
		v, err := compactVec[T](r, 64)
		*p(mg) = v
		return err
	}}
}

func mgVecBool(name string, p func(*Metagraph) *[]bool) mgField {
	return mgField{name, vecSh(boolSh), func(r *fastReader, mg *Metagraph) error {
		v, err := r.boolVec()
		*p(mg) = v
		return err
	}}
}

func mgVecAccount(name string, p func(*Metagraph) *[]AccountID) mgField {
	return mgField{name, vecSh(accountSh), func(r *fastReader, mg *Metagraph) error {
		v, err := r.accountVec()
		*p(mg) = v
		return err
	}}
}

func mgHotkeyAmounts(name string, p func(*Metagraph) *[]HotkeyAmount) mgField {
	return mgField{name, vecSh(tupleSh(accountSh, compactSh(metadata.PrimU64))), func(r *fastReader, mg *Metagraph) error {
		n, err := r.d.Length(33)
		if err != nil {
			return err
		}
		out := make([]HotkeyAmount, n)
		for i := range out {
			if out[i].Hotkey, err = r.account(); err != nil {
				return err
			}
			v, err := r.cu64()
			if err != nil {
				return err
			}
			out[i].Amount = Balance(v)
		}
		*p(mg) = out
		return nil
	}}
}

func byteStringFields(names ...string) []namedShape {
	out := make([]namedShape, len(names))
	for i, n := range names {
		out[i] = namedShape{n, bytesSh}
	}
	return out
}

// subnetIdentitySh is SubnetIdentityV3, chainIdentitySh ChainIdentityV2:
// all fields Vec<u8>, read into the Go structs' strings in this order.
var (
	subnetIdentitySh = structSh(byteStringFields("subnet_name", "github_repo", "subnet_contact", "subnet_url",
		"discord", "description", "logo_url", "additional")...)
	chainIdentitySh = structSh(byteStringFields("name", "url", "github_repo", "image", "discord", "description",
		"additional")...)
)

func (r *fastReader) byteStrings(dsts ...*string) error {
	for _, d := range dsts {
		if err := r.byteString(d); err != nil {
			return err
		}
	}
	return nil
}

// metagraphFields are the get_metagraph fields the fast decoder reads.
var metagraphFields = []mgField{
	mgCU16("netuid", func(mg *Metagraph) *NetUID { return &mg.NetUID }),
	mgName("name", func(mg *Metagraph) *string { return &mg.Name }),
	mgName("symbol", func(mg *Metagraph) *string { return &mg.Symbol }),
	{"identity", optionSh(subnetIdentitySh), func(r *fastReader, mg *Metagraph) error {
		some, err := r.d.OptionTag()
		if err != nil || !some {
			return err
		}
		id := &SubnetIdentity{}
		mg.Identity = id
		return r.byteStrings(&id.SubnetName, &id.GithubRepo, &id.SubnetContact, &id.SubnetURL, &id.Discord,
			&id.Description, &id.LogoURL, &id.Additional)
	}},
	mgCU64("network_registered_at", func(mg *Metagraph) *uint64 { return &mg.NetworkRegisteredAt }),
	mgAccount("owner_hotkey", func(mg *Metagraph) *AccountID { return &mg.OwnerHotkey }),
	mgAccount("owner_coldkey", func(mg *Metagraph) *AccountID { return &mg.OwnerColdkey }),
	mgCU64("block", func(mg *Metagraph) *uint64 { return &mg.Block }),
	mgCU16("tempo", func(mg *Metagraph) *uint16 { return &mg.Tempo }),
	mgCU64("last_step", func(mg *Metagraph) *uint64 { return &mg.LastStep }),
	mgCU64("blocks_since_last_step", func(mg *Metagraph) *uint64 { return &mg.BlocksSinceLastStep }),
	mgCU64("subnet_emission", func(mg *Metagraph) *uint64 { return &mg.SubnetEmission }),
	mgCU64("alpha_in", func(mg *Metagraph) *Balance { return &mg.AlphaIn }),
	mgCU64("alpha_out", func(mg *Metagraph) *Balance { return &mg.AlphaOut }),
	mgCU64("tao_in", func(mg *Metagraph) *Balance { return &mg.TaoIn }),
	mgCU64("alpha_out_emission", func(mg *Metagraph) *Balance { return &mg.AlphaOutEmission }),
	mgCU64("alpha_in_emission", func(mg *Metagraph) *Balance { return &mg.AlphaInEmission }),
	mgCU64("tao_in_emission", func(mg *Metagraph) *Balance { return &mg.TaoInEmission }),
	mgCU64("pending_alpha_emission", func(mg *Metagraph) *Balance { return &mg.PendingAlphaEmission }),
	mgCU64("pending_root_emission", func(mg *Metagraph) *Balance { return &mg.PendingRootEmission }),
	{"subnet_volume", compactSh(metadata.PrimU128), func(r *fastReader, mg *Metagraph) error {
		v, err := r.cu128Sat()
		mg.SubnetVolume = v
		return err
	}},
	{"moving_price", &shape{kind: shFixed, prim: metadata.PrimI128}, func(r *fastReader, mg *Metagraph) error {
		v, err := r.fixedI128()
		mg.MovingPrice = v
		return err
	}},
	mgCU16("rho", func(mg *Metagraph) *uint16 { return &mg.Rho }),
	mgCU16("kappa", func(mg *Metagraph) *uint16 { return &mg.Kappa }),
	mgCU16("min_allowed_weights", func(mg *Metagraph) *uint16 { return &mg.MinAllowedWeights }),
	mgCU16("max_weights_limit", func(mg *Metagraph) *uint16 { return &mg.MaxWeightsLimit }),
	mgCU64("weights_version", func(mg *Metagraph) *uint64 { return &mg.WeightsVersion }),
	mgCU64("weights_rate_limit", func(mg *Metagraph) *uint64 { return &mg.WeightsRateLimit }),
	mgCU16("activity_cutoff", func(mg *Metagraph) *uint64 { return &mg.ActivityCutoff }),
	mgCU16("max_validators", func(mg *Metagraph) *uint16 { return &mg.MaxValidators }),
	mgCU16("num_uids", func(mg *Metagraph) *uint16 { return &mg.NumUIDs }),
	mgCU16("max_uids", func(mg *Metagraph) *uint16 { return &mg.MaxUIDs }),
	mgCU64("burn", func(mg *Metagraph) *Balance { return &mg.Burn }),
	mgCU64("difficulty", func(mg *Metagraph) *uint64 { return &mg.Difficulty }),
	mgBool("registration_allowed", func(mg *Metagraph) *bool { return &mg.RegistrationAllowed }),
	mgBool("pow_registration_allowed", func(mg *Metagraph) *bool { return &mg.PowRegistrationAllowed }),
	mgCU16("immunity_period", func(mg *Metagraph) *uint16 { return &mg.ImmunityPeriod }),
	mgCU64("min_difficulty", func(mg *Metagraph) *uint64 { return &mg.MinDifficulty }),
	mgCU64("max_difficulty", func(mg *Metagraph) *uint64 { return &mg.MaxDifficulty }),
	mgCU64("min_burn", func(mg *Metagraph) *Balance { return &mg.MinBurn }),
	mgCU64("max_burn", func(mg *Metagraph) *Balance { return &mg.MaxBurn }),
	mgCU64("adjustment_alpha", func(mg *Metagraph) *uint64 { return &mg.AdjustmentAlpha }),
	mgCU16("adjustment_interval", func(mg *Metagraph) *uint16 { return &mg.AdjustmentInterval }),
	mgCU16("target_regs_per_interval", func(mg *Metagraph) *uint16 { return &mg.TargetRegsPerInterval }),
	mgCU16("max_regs_per_block", func(mg *Metagraph) *uint16 { return &mg.MaxRegsPerBlock }),
	mgCU64("serving_rate_limit", func(mg *Metagraph) *uint64 { return &mg.ServingRateLimit }),
	mgBool("commit_reveal_weights_enabled", func(mg *Metagraph) *bool { return &mg.CommitRevealWeightsEnabled }),
	mgCU64("commit_reveal_period", func(mg *Metagraph) *uint64 { return &mg.CommitRevealPeriod }),
	mgBool("liquid_alpha_enabled", func(mg *Metagraph) *bool { return &mg.LiquidAlphaEnabled }),
	mgCU16("alpha_high", func(mg *Metagraph) *uint16 { return &mg.AlphaHigh }),
	mgCU16("alpha_low", func(mg *Metagraph) *uint16 { return &mg.AlphaLow }),
	mgCU64("bonds_moving_avg", func(mg *Metagraph) *uint64 { return &mg.BondsMovingAvg }),
	mgVecAccount("hotkeys", func(mg *Metagraph) *[]AccountID { return &mg.Hotkeys }),
	mgVecAccount("coldkeys", func(mg *Metagraph) *[]AccountID { return &mg.Coldkeys }),
	{"identities", vecSh(optionSh(chainIdentitySh)), func(r *fastReader, mg *Metagraph) error {
		n, err := r.d.Length(1)
		if err != nil {
			return err
		}
		out := make([]*ChainIdentity, n)
		var backing []ChainIdentity // allocated on the first Some
		for i := range out {
			some, err := r.d.OptionTag()
			if err != nil {
				return err
			}
			if !some {
				continue
			}
			if backing == nil {
				backing = make([]ChainIdentity, n)
			}
			id := &backing[i]
			out[i] = id
			if err := r.byteStrings(&id.Name, &id.URL, &id.GithubRepo, &id.Image, &id.Discord, &id.Description,
				&id.Additional); err != nil {
				return err
			}
		}
		mg.Identities = out
		return nil
	}},
	{"axons", vecSh(axonSh), func(r *fastReader, mg *Metagraph) error {
		n, err := r.d.Length(axonSh.minSize())
		if err != nil {
			return err
		}
		out := make([]AxonInfo, n)
		for i := range out {
			if err := r.axon(&out[i]); err != nil {
				return err
			}
		}
		mg.Axons = out
		return nil
	}},
	mgVecBool("active", func(mg *Metagraph) *[]bool { return &mg.Active }),
	mgVecBool("validator_permit", func(mg *Metagraph) *[]bool { return &mg.ValidatorPermit }),
	mgVecCU16("pruning_score", func(mg *Metagraph) *[]uint16 { return &mg.PruningScore }),
	mgVecCU64("last_update", func(mg *Metagraph) *[]uint64 { return &mg.LastUpdate }),
	mgVecCU64("emission", func(mg *Metagraph) *[]Balance { return &mg.Emission }),
	mgVecCU16("dividends", func(mg *Metagraph) *[]uint16 { return &mg.Dividends }),
	mgVecCU16("incentives", func(mg *Metagraph) *[]uint16 { return &mg.Incentives }),
	mgVecCU16("consensus", func(mg *Metagraph) *[]uint16 { return &mg.Consensus }),
	mgVecCU16("trust", func(mg *Metagraph) *[]uint16 { return &mg.Trust }),
	mgVecCU16("rank", func(mg *Metagraph) *[]uint16 { return &mg.Rank }),
	mgVecCU64("block_at_registration", func(mg *Metagraph) *[]uint64 { return &mg.BlockAtRegistration }),
	mgVecCU64("alpha_stake", func(mg *Metagraph) *[]Balance { return &mg.AlphaStake }),
	mgVecCU64("tao_stake", func(mg *Metagraph) *[]Balance { return &mg.TaoStake }),
	mgVecCU64("total_stake", func(mg *Metagraph) *[]Balance { return &mg.TotalStake }),
	mgHotkeyAmounts("tao_dividends_per_hotkey", func(mg *Metagraph) *[]HotkeyAmount { return &mg.TaoDividendsPerHotkey }),
	mgHotkeyAmounts("alpha_dividends_per_hotkey", func(mg *Metagraph) *[]HotkeyAmount { return &mg.AlphaDividendsPerHotkey }),
}

// metagraphPlan is the fast decoder of one runtime method returning
// Option<Metagraph> or Option<SelectiveMetagraph>; nil plans means the
// runtime's layout is not one the fast decoder reads.
type metagraphPlan struct {
	plans []fieldPlan[Metagraph]
}

type metagraphPlanKey struct{ method string }

var metagraphGoNames = goFieldNames(reflect.TypeFor[Metagraph](), true)

// metagraphPlanFor checks the method's result layout once per runtime.
func metagraphPlanFor(m *metadata.Metadata, am *metadata.APIMethod) *metagraphPlan {
	return m.Memo(metagraphPlanKey{am.StateCallName()}, func() any {
		t, ok := m.Types.Type(am.Output)
		if !ok || t.Kind != metadata.KindVariant || len(t.Path) != 1 || t.Path[0] != "Option" || len(t.Variants) != 2 {
			return &metagraphPlan{}
		}
		none, okNone := t.VariantByIndex(0)
		some, okSome := t.VariantByIndex(1)
		if !okNone || !okSome || len(none.Fields) != 0 || len(some.Fields) != 1 {
			return &metagraphPlan{}
		}
		plans, ok := planFields(m, some.Fields[0].Type, metagraphFields, true, metagraphGoNames)
		if !ok {
			return &metagraphPlan{}
		}
		return &metagraphPlan{plans: plans}
	}).(*metagraphPlan)
}

// decodeMetagraph decodes a get_metagraph / get_selective_mechagraph /
// get_mechagraph result: nil for None. It takes the fast decoder when the
// runtime's layout allows, else the generic one.
func decodeMetagraph(m *metadata.Metadata, am *metadata.APIMethod, raw []byte) (*Metagraph, error) {
	if p := metagraphPlanFor(m, am); p.plans != nil {
		return decodeMetagraphFast(m, am, p, raw)
	}
	return decodeMetagraphGeneric(m, am, raw)
}

func decodeMetagraphFast(m *metadata.Metadata, am *metadata.APIMethod, p *metagraphPlan, raw []byte) (*Metagraph, error) {
	d := scale.NewDecoder(raw)
	r := &fastReader{d: d}
	mg, err := func() (*Metagraph, error) {
		some, err := d.OptionTag()
		if err != nil || !some {
			return nil, err
		}
		mg := &Metagraph{}
		if err := readFields(m, r, p.plans, mg); err != nil {
			return nil, err
		}
		return mg, nil
	}()
	if err == nil && d.Remaining() != 0 {
		err = &scale.DecodeError{Offset: d.Offset(), Err: scale.ErrTrailingBytes}
	}
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %w", ErrMalformedResponse, am.StateCallName(), err)
	}
	r.finish()
	return mg, nil
}

// decodeMetagraphGeneric is the metadata-driven path: the dynamic value
// mapped onto Metagraph by field name.
func decodeMetagraphGeneric(m *metadata.Metadata, am *metadata.APIMethod, raw []byte) (*Metagraph, error) {
	var v any
	if err := m.DecodeRuntimeAPIResult(am, raw, &v); err != nil {
		return nil, fmt.Errorf("%w: %s: %w", ErrMalformedResponse, am.StateCallName(), err)
	}
	if v == nil {
		return nil, nil
	}
	var mg Metagraph
	if err := assign(reflect.ValueOf(&mg).Elem(), v, am.Name); err != nil {
		return nil, fmt.Errorf("%w: %s: %w", ErrMalformedResponse, am.StateCallName(), err)
	}
	return &mg, nil
}
