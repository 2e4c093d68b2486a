package localnet

import (
	"context"
	"fmt"
	"sort"

	st "github.com/gotensor/gotensor/subtensor"
)

// hyperSetter is one settable hyperparameter: the AdminUtils call it maps
// to, whether the subnet owner may call it (otherwise root only), and how it
// applies.
type hyperSetter struct {
	call  byte
	owner bool
	apply func(s *state, sn *subnet, v uint64) error
}

func u16Param(v uint64) (uint16, error) {
	if v > 0xFFFF {
		return 0, st.ErrAdminValueNotInBounds
	}
	return uint16(v), nil
}

func setU16(f func(h *hyper) *uint16) func(*state, *subnet, uint64) error {
	return func(_ *state, sn *subnet, v uint64) error {
		x, err := u16Param(v)
		if err != nil {
			return err
		}
		*f(&sn.hp) = x
		return nil
	}
}

func setU64(f func(h *hyper) *uint64) func(*state, *subnet, uint64) error {
	return func(_ *state, sn *subnet, v uint64) error { *f(&sn.hp) = v; return nil }
}

func setBool(f func(h *hyper) *bool) func(*state, *subnet, uint64) error {
	return func(_ *state, sn *subnet, v uint64) error {
		if v > 1 {
			return st.ErrAdminInvalidValue
		}
		*f(&sn.hp) = v == 1
		return nil
	}
}

// hyperSetters lists what SetHyperparameter accepts, by the names of
// SubnetHyperparams (V3) and with the AdminUtils call indices and origins of
// the runtime.
var hyperSetters = map[string]hyperSetter{
	"serving_rate_limit":            {3, true, setU64(func(h *hyper) *uint64 { return &h.servingRateLimit })},
	"min_difficulty":                {4, false, setU64(func(h *hyper) *uint64 { return &h.minDifficulty })},
	"max_difficulty":                {5, true, setU64(func(h *hyper) *uint64 { return &h.maxDifficulty })},
	"weights_version":               {6, true, setU64(func(h *hyper) *uint64 { return &h.weightsVersion })},
	"weights_rate_limit":            {7, false, setU64(func(h *hyper) *uint64 { return &h.weightsRateLimit })},
	"adjustment_interval":           {8, false, setU16(func(h *hyper) *uint16 { return &h.adjustmentInterval })},
	"adjustment_alpha":              {9, true, setU64(func(h *hyper) *uint64 { return &h.adjustmentAlpha })},
	"immunity_period":               {13, true, setU16(func(h *hyper) *uint16 { return &h.immunityPeriod })},
	"min_allowed_weights":           {14, true, setU16(func(h *hyper) *uint16 { return &h.minAllowedWeights })},
	"max_allowed_uids":              {15, true, setMaxUIDs},
	"kappa":                         {16, false, setU16(func(h *hyper) *uint16 { return &h.kappa })},
	"rho":                           {17, true, setU16(func(h *hyper) *uint16 { return &h.rho })},
	"registration_allowed":          {19, false, setBool(func(h *hyper) *bool { return &h.registrationAllowed })},
	"target_regs_per_interval":      {21, false, setU16(func(h *hyper) *uint16 { return &h.targetRegsPerInterval })},
	"min_burn":                      {22, true, setU64(func(h *hyper) *uint64 { return &h.minBurn })},
	"max_burn":                      {23, true, setU64(func(h *hyper) *uint64 { return &h.maxBurn })},
	"difficulty":                    {24, false, setU64(func(h *hyper) *uint64 { return &h.difficulty })},
	"max_validators":                {25, false, setMaxValidators},
	"bonds_moving_avg":              {26, true, setU64(func(h *hyper) *uint64 { return &h.bondsMovingAvg })},
	"bonds_penalty":                 {60, true, setU16(func(h *hyper) *uint16 { return &h.bondsPenalty })},
	"max_regs_per_block":            {27, false, setU16(func(h *hyper) *uint16 { return &h.maxRegsPerBlock })},
	"tempo":                         {30, false, setU16(func(h *hyper) *uint16 { return &h.tempo })},
	"stake_threshold":               {42, false, setU64(func(h *hyper) *uint64 { return &h.stakeThreshold })},
	"commit_reveal_weights_enabled": {49, true, setBool(func(h *hyper) *bool { return &h.commitRevealEnabled })},
	"liquid_alpha_enabled":          {50, true, setBool(func(h *hyper) *bool { return &h.liquidAlphaEnabled })},
	"alpha_low":                     {51, true, setU16(func(h *hyper) *uint16 { return &h.alphaLow })},
	"alpha_high":                    {51, true, setU16(func(h *hyper) *uint16 { return &h.alphaHigh })},
	"commit_reveal_period":          {57, true, setRevealPeriod},
	"transfers_enabled":             {61, true, setBool(func(h *hyper) *bool { return &h.transfersEnabled })},
	"alpha_sigmoid_steepness":       {68, false, setU64Int(func(h *hyper) *int64 { return &h.alphaSigmoidSteepness })},
	"yuma_version":                  {69, true, setYumaVersion},
	"bonds_reset_enabled":           {70, true, setBool(func(h *hyper) *bool { return &h.bondsResetEnabled })},
	"immune_owner_uids_limit":       {72, true, setU16(func(h *hyper) *uint16 { return &h.immuneOwnerUIDsLimit })},
	"min_non_immune_uids":           {84, false, setU16(func(h *hyper) *uint16 { return &h.minNonImmuneUIDs })},
	"burn_half_life":                {89, true, setU16(func(h *hyper) *uint16 { return &h.burnHalfLife })},
	"owner_cut_enabled":             {92, true, setBool(func(h *hyper) *bool { return &h.ownerCutEnabled })},
	"activity_cutoff_factor":        {140, true, setActivityFactor},
	"subnet_emission_enabled": {94, false, func(_ *state, sn *subnet, v uint64) error {
		if v > 1 {
			return st.ErrAdminInvalidValue
		}
		sn.emissionEnabled = v == 1
		return nil
	}},
}

func setU64Int(f func(h *hyper) *int64) func(*state, *subnet, uint64) error {
	return func(_ *state, sn *subnet, v uint64) error {
		if v > 0x7FFF {
			return st.ErrAdminValueNotInBounds
		}
		*f(&sn.hp) = int64(v)
		return nil
	}
}

func setMaxUIDs(_ *state, sn *subnet, v uint64) error {
	if v > 256 {
		return st.ErrAdminValueNotInBounds
	}
	if int(v) < len(sn.neurons) {
		return &st.ModuleError{Pallet: st.PalletAdminUtils, Name: "MaxAllowedUIdsLessThanCurrentUIds"}
	}
	if uint16(v) < sn.hp.maxValidators {
		return &st.ModuleError{Pallet: st.PalletAdminUtils, Name: "MaxAllowedUidsLessThanMinAllowedUids"}
	}
	// ensure_max_uids_over_all_mechanisms: max_uids·mechanism_count <= 256.
	if v*uint64(sn.mechCount()) > defaultMaxAllowedUIDs {
		return errTooManyUIDsPerMechanism
	}
	sn.hp.maxAllowedUIDs = uint16(v)
	return nil
}

func setMaxValidators(_ *state, sn *subnet, v uint64) error {
	if v > uint64(sn.hp.maxAllowedUIDs) {
		return st.ErrAdminMaxValidatorsLargerThanMaxUIDs
	}
	sn.hp.maxValidators = uint16(v)
	return nil
}

func setRevealPeriod(_ *state, sn *subnet, v uint64) error {
	if v > 100 {
		return st.SubtensorError("RevealPeriodTooLarge")
	}
	if v < 1 {
		return st.SubtensorError("RevealPeriodTooSmall")
	}
	sn.hp.revealPeriod = v
	return nil
}

func setYumaVersion(_ *state, sn *subnet, v uint64) error {
	switch v {
	case 2:
		sn.hp.yuma3 = false
	case 3:
		sn.hp.yuma3 = true
	default:
		return st.ErrAdminInvalidValue
	}
	return nil
}

func setActivityFactor(_ *state, sn *subnet, v uint64) error {
	if v < 1_000 || v > 50_000 {
		return st.SubtensorError("ActivityCutoffFactorMilliOutOfBounds")
	}
	sn.hp.activityCutoffFactorMl = v
	return nil
}

// HyperparameterNames lists the names SetHyperparameter accepts.
func HyperparameterNames() []string {
	out := make([]string, 0, len(hyperSetters))
	for k := range hyperSetters {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// SetHyperparameter implements subtensor.Chain. Root-only parameters need
// the sudo key (//Alice); owner parameters accept the subnet owner's
// coldkey too, as AdminUtils does. Booleans are 0 or 1; yuma_version is 2
// or 3.
func (c *Chain) SetHyperparameter(ctx context.Context, signer st.Signer, netuid st.NetUID, name string, value uint64) (*st.Receipt, error) {
	hs, ok := hyperSetters[name]
	if !ok {
		return nil, fmt.Errorf("%w: %q", st.ErrUnknownHyperparameter, name)
	}
	data := newCall(palletAdminUtils, hs.call).u16(uint16(netuid)).u64(value)
	sudo := c.sudo
	return c.submit(ctx, signer, &call{pallet: st.PalletAdminUtils, name: "sudo_set_" + name, data: data, paysFee: true,
		dispatch: func(s *state, who st.AccountID) ([]st.Event, error) {
			sn, ok := s.subnets[netuid]
			isRoot := who == sudo
			if !ok {
				if !isRoot {
					return nil, st.ErrBadOrigin
				}
				return nil, st.ErrAdminSubnetDoesNotExist
			}
			if !isRoot && !(hs.owner && who == sn.ownerCold) {
				return nil, st.ErrBadOrigin
			}
			if netuid == st.RootNetUID && !isRoot {
				return nil, st.ErrAdminNotPermittedOnRoot
			}
			if err := hs.apply(s, sn, value); err != nil {
				return nil, err
			}
			return []st.Event{ev(st.PalletAdminUtils, "HyperparameterSet", "netuid", netuid, "name", name, "value", value)}, nil
		}})
}
