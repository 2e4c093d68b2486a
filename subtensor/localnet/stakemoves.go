package localnet

import (
	"context"

	st "github.com/gotensor/gotensor/subtensor"
)

// The stake-moving extrinsics (move_stake, transfer_stake, swap_stake) are
// not part of subtensor.Chain; localnet offers them as methods so that
// simulations can rebalance stake the way users do on chain. They share
// transition_stake_internal: within one subnet the alpha changes hands at
// no cost; across subnets it is sold on the origin pool and the TAO bought
// into the destination pool, paying one swap fee (on the sale, or on the
// purchase when the origin is root) to the block author.

// MoveStake is move_stake (call 85): the signer (coldkey) moves alpha of
// its stake from originHotkey on originNetuid to destHotkey on destNetuid.
// It fails with the chain's errors: SameNetuid, SubnetNotExists,
// SubtokenDisabled, HotKeyAccountNotExists, AmountTooLow (worth no more
// than the 0.002 TAO minimum stake), InsufficientLiquidity. An amount above
// the stake is capped to the stake, as on chain.
func (c *Chain) MoveStake(ctx context.Context, signer st.Signer, originHotkey, destHotkey st.AccountID, originNetuid, destNetuid st.NetUID, alpha st.Balance) (*st.Receipt, error) {
	data := newCall(palletSubtensor, 85).acct(originHotkey).acct(destHotkey).u16(uint16(originNetuid)).u16(uint16(destNetuid)).u64(uint64(alpha))
	return c.submit(ctx, signer, &call{pallet: st.PalletSubtensor, name: "move_stake", data: data, paysFee: true,
		dispatch: func(s *state, who st.AccountID) ([]st.Event, error) {
			tao, err := s.transitionStake(who, who, originHotkey, destHotkey, originNetuid, destNetuid, uint64(alpha), false)
			if err != nil {
				return nil, err
			}
			return []st.Event{ev(st.PalletSubtensor, "StakeMoved", "coldkey", who, "origin_hotkey", originHotkey,
				"origin_netuid", originNetuid, "destination_hotkey", destHotkey, "destination_netuid", destNetuid,
				"tao", st.Balance(tao))}, nil
		}})
}

// TransferStake is transfer_stake (call 86): the signer (coldkey) gives
// alpha of its stake on hotkey to destColdkey, on destNetuid (sold and
// bought across subnets). Both subnets must allow transfers
// (transfers_enabled, else TransferDisallowed); otherwise as MoveStake.
func (c *Chain) TransferStake(ctx context.Context, signer st.Signer, destColdkey, hotkey st.AccountID, originNetuid, destNetuid st.NetUID, alpha st.Balance) (*st.Receipt, error) {
	data := newCall(palletSubtensor, 86).acct(destColdkey).acct(hotkey).u16(uint16(originNetuid)).u16(uint16(destNetuid)).u64(uint64(alpha))
	return c.submit(ctx, signer, &call{pallet: st.PalletSubtensor, name: "transfer_stake", data: data, paysFee: true,
		dispatch: func(s *state, who st.AccountID) ([]st.Event, error) {
			tao, err := s.transitionStake(who, destColdkey, hotkey, hotkey, originNetuid, destNetuid, uint64(alpha), true)
			if err != nil {
				return nil, err
			}
			return []st.Event{ev(st.PalletSubtensor, "StakeTransferred", "origin_coldkey", who,
				"destination_coldkey", destColdkey, "hotkey", hotkey, "origin_netuid", originNetuid,
				"destination_netuid", destNetuid, "tao", st.Balance(tao))}, nil
		}})
}

// SwapStake is swap_stake (call 87): the signer (coldkey) moves alpha of
// its stake on hotkey from originNetuid to destNetuid; as MoveStake with
// the same hotkey.
func (c *Chain) SwapStake(ctx context.Context, signer st.Signer, hotkey st.AccountID, originNetuid, destNetuid st.NetUID, alpha st.Balance) (*st.Receipt, error) {
	data := newCall(palletSubtensor, 87).acct(hotkey).u16(uint16(originNetuid)).u16(uint16(destNetuid)).u64(uint64(alpha))
	return c.submit(ctx, signer, &call{pallet: st.PalletSubtensor, name: "swap_stake", data: data, paysFee: true,
		dispatch: func(s *state, who st.AccountID) ([]st.Event, error) {
			tao, err := s.transitionStake(who, who, hotkey, hotkey, originNetuid, destNetuid, uint64(alpha), false)
			if err != nil {
				return nil, err
			}
			return []st.Event{ev(st.PalletSubtensor, "StakeSwapped", "coldkey", who, "hotkey", hotkey,
				"origin_netuid", originNetuid, "destination_netuid", destNetuid, "tao", st.Balance(tao))}, nil
		}})
}

// transitionStake is transition_stake_internal without a limit price,
// with validate_stake_transition's checks in the chain's order. Every check
// and quote happens before anything is written, so a failure leaves no
// trace (the chain's dispatch is transactional). It returns the TAO moved:
// the sale's proceeds across subnets, the alpha's value at the spot price
// within one.
func (s *state) transitionStake(oc, dc, oh, dh st.AccountID, on, dn st.NetUID, alpha uint64, checkTransfer bool) (uint64, error) {
	osn, ook := s.subnets[on]
	dsn, dok := s.subnets[dn]
	if ook {
		alpha = min(alpha, osn.stake[oh][oc])
	}
	if oc == dc && oh == dh && on == dn {
		return 0, st.SubtensorError("SameNetuid")
	}
	if !ook || !dok {
		return 0, st.ErrSubnetNotExists
	}
	if !osn.subtokenEnabled || !dsn.subtokenEnabled {
		return 0, st.ErrSubtokenDisabled
	}
	if _, ok := s.owner[oh]; !ok {
		return 0, st.ErrHotKeyAccountNotExists
	}
	if _, ok := s.owner[dh]; !ok {
		return 0, st.ErrHotKeyAccountNotExists
	}
	if alpha > osn.stake[oh][oc] {
		return 0, st.ErrNotEnoughStakeToWithdraw
	}
	cross := on != dn
	var out, sellFee, authorSell uint64
	if cross {
		// The sale's quote (with the fee) must be worth more than the
		// minimum stake.
		var err error
		if on == st.RootNetUID {
			out, _, err = osn.simSell(alpha, 0)
		} else {
			out, sellFee, authorSell, err = osn.sellWithFee(alpha, s.g.feeRate)
		}
		if err != nil {
			return 0, st.ErrInsufficientLiquidity
		}
		if out <= s.g.minStake {
			return 0, st.ErrAmountTooLow
		}
	}
	if checkTransfer && (!osn.hp.transfersEnabled || !dsn.hp.transfersEnabled) {
		return 0, st.SubtensorError("TransferDisallowed")
	}
	if !cross {
		// transfer_stake_within_subnet: no swap; the value at the spot
		// price must reach the minimum stake.
		tao := alpha
		if on != st.RootNetUID {
			tao = mulDiv(alpha, osn.taoIn, osn.alphaIn)
		}
		if tao < s.g.minStake {
			return 0, st.ErrAmountTooLow
		}
		s.stakeSub(osn, oh, oc, alpha)
		s.stakeAdd(osn, dh, dc, alpha)
		return tao, nil
	}
	// Quote the purchase on the destination pool (a different pool, so the
	// sale does not move it). The fee is charged once: on the sale, or on
	// the purchase when the origin is root. (The chain restakes only
	// proceeds of at least the minimum stake; the check above guarantees
	// that.)
	bought, buyFee, err := dsn.simBuy(out, s.g.feeRate, on != st.RootNetUID)
	if err != nil {
		return 0, st.ErrInsufficientLiquidity
	}
	if bought == 0 {
		return 0, st.ErrAmountTooLow
	}
	s.stakeSub(osn, oh, oc, alpha)
	osn.applySell(alpha-sellFee, out)
	if sellFee > 0 {
		osn.applySell(sellFee, authorSell)
	}
	dsn.applyBuy(out-buyFee, bought)
	s.acct(s.authorOf()).free += authorSell + buyFee
	s.stakeAdd(dsn, dh, dc, bought)
	return out, nil
}
