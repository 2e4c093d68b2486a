package localnet

import (
	"slices"

	st "github.com/gotensor/gotensor/subtensor"
)

// minReserve is the smallest reserve a swap may leave on its output side.
const minReserve = 1_000_000

// price is the pool's spot price in TAO per alpha. With the balancer weights
// at 0.5/0.5 it is y/x; root and a pool without alpha price at 1.
func (sn *subnet) price() float64 {
	if sn.netuid == st.RootNetUID || sn.alphaIn == 0 {
		return 1
	}
	return float64(sn.taoIn) / float64(sn.alphaIn)
}

// simBuy returns the alpha bought with tao (after the fee) and the fee, for
// the constant-product (0.5/0.5 balancer) pool: Δx = x·Δy/(y+Δy).
func (sn *subnet) simBuy(tao uint64, feeRate uint16, dropFee bool) (out, fee uint64, err error) {
	if sn.netuid == st.RootNetUID {
		return tao, 0, nil
	}
	if !dropFee {
		fee = mulDiv(tao, uint64(feeRate), 65535)
	}
	net := tao - fee
	if sn.taoIn > 0 && net/1000 > sn.taoIn {
		return 0, 0, st.ErrInsufficientLiquidity
	}
	out = mulDiv(sn.alphaIn, net, satAdd(sn.taoIn, net))
	if sn.alphaIn-out < minReserve && out > 0 {
		return 0, 0, st.ErrInsufficientLiquidity
	}
	return out, fee, nil
}

// applyBuy moves net TAO into the pool and out alpha out of it.
func (sn *subnet) applyBuy(net, out uint64) {
	if sn.netuid == st.RootNetUID {
		sn.taoIn += net
		return
	}
	sn.taoIn += net
	sn.alphaIn -= out
	sn.alphaOut += out
	sn.volume = satAdd(sn.volume, net)
}

// simSell returns the TAO received for alpha: Δy = y·Δx/(x+Δx), with the
// fee taken in alpha (see sellWithFee for what becomes of it).
func (sn *subnet) simSell(alpha uint64, feeRate uint16) (out, fee uint64, err error) {
	if sn.netuid == st.RootNetUID {
		if alpha > sn.taoIn {
			return 0, 0, st.ErrInsufficientLiquidity
		}
		return alpha, 0, nil
	}
	fee = mulDiv(alpha, uint64(feeRate), 65535)
	net := alpha - fee
	if sn.alphaIn > 0 && net/1000 > sn.alphaIn {
		return 0, 0, st.ErrInsufficientLiquidity
	}
	out = mulDiv(sn.taoIn, net, satAdd(sn.alphaIn, net))
	if sn.taoIn-out < minReserve && out > 0 {
		return 0, 0, st.ErrInsufficientLiquidity
	}
	return out, fee, nil
}

// sellWithFee quotes unstake_from_subnet's two swaps: alpha less the fee
// is sold for out, then the alpha fee is sold fee-less on the moved pool
// for authorTAO, which goes to the block author. It does not change the
// pool.
func (sn *subnet) sellWithFee(alpha uint64, feeRate uint16) (out, fee, authorTAO uint64, err error) {
	out, fee, err = sn.simSell(alpha, feeRate)
	if err != nil || fee == 0 || sn.netuid == st.RootNetUID {
		return out, fee, 0, err
	}
	after := *sn
	after.applySell(alpha-fee, out)
	authorTAO, _, err = after.simSell(fee, 0)
	if err != nil {
		return 0, 0, 0, err
	}
	return out, fee, authorTAO, nil
}

func (sn *subnet) applySell(alpha, out uint64) {
	if sn.netuid == st.RootNetUID {
		sn.taoIn -= out
		return
	}
	sn.alphaIn += alpha
	sn.alphaOut = satSub(sn.alphaOut, alpha)
	sn.taoIn -= out
	sn.volume = satAdd(sn.volume, out)
}

// hotkeyTotal is TotalHotkeyAlpha.
func (sn *subnet) hotkeyTotal(hk st.AccountID) uint64 {
	var t uint64
	for _, v := range sn.stake[hk] {
		t += v
	}
	return t
}

func (sn *subnet) addStake(hk, ck st.AccountID, alpha uint64) {
	sn.own()
	if alpha == 0 {
		return
	}
	m, ok := sn.stake[hk]
	if !ok {
		m = map[st.AccountID]uint64{}
		sn.stake[hk] = m
	}
	m[ck] += alpha
}

func (sn *subnet) subStake(hk, ck st.AccountID, alpha uint64) {
	sn.own()
	m := sn.stake[hk]
	m[ck] -= alpha
	if m[ck] == 0 {
		delete(m, ck)
	}
	if len(m) == 0 {
		delete(sn.stake, hk)
	}
}

// addToHotkeyPool spreads alpha over the hotkey's nominators pro rata (the
// chain adds it to TotalHotkeyAlpha, which all shares point at). Dust and a
// hotkey without stake go to fallback (the hotkey's owner).
func (sn *subnet) addToHotkeyPool(hk, fallback st.AccountID, alpha uint64) {
	sn.own()
	if alpha == 0 {
		return
	}
	total := sn.hotkeyTotal(hk)
	if total == 0 {
		sn.addStake(hk, fallback, alpha)
		return
	}
	cks := make([]st.AccountID, 0, len(sn.stake[hk]))
	for ck := range sn.stake[hk] {
		cks = append(cks, ck)
	}
	slices.SortFunc(cks, cmpAccount)
	paid := uint64(0)
	m := sn.stake[hk]
	for _, ck := range cks {
		share := mulDiv(alpha, m[ck], total)
		m[ck] += share
		paid += share
	}
	sn.addStake(hk, fallback, alpha-paid)
}

func (s *state) addStake(cold, hot st.AccountID, netuid st.NetUID, amount uint64) ([]st.Event, error) {
	sn, ok := s.subnets[netuid]
	if !ok {
		return nil, st.ErrSubnetNotExists
	}
	if !sn.subtokenEnabled {
		return nil, st.ErrSubtokenDisabled
	}
	minAmount := s.g.minStake
	if netuid != st.RootNetUID {
		minAmount += mulDiv(s.g.minStake, uint64(s.g.feeRate), 65535)
	}
	if amount < minAmount {
		return nil, st.ErrAmountTooLow
	}
	if s.free(cold) < amount {
		return nil, st.ErrNotEnoughBalanceToStake
	}
	if _, ok := s.owner[hot]; !ok {
		return nil, st.ErrHotKeyAccountNotExists
	}
	out, fee, err := sn.simBuy(amount, s.g.feeRate, false)
	if err != nil {
		return nil, st.ErrInsufficientLiquidity
	}
	if out == 0 {
		return nil, st.ErrInsufficientLiquidity
	}
	s.acct(cold).free -= amount
	sn.applyBuy(amount-fee, out)
	s.acct(s.authorOf()).free += fee
	s.stakeAdd(sn, hot, cold, out)
	return []st.Event{ev(st.PalletSubtensor, "StakeAdded", "coldkey", cold, "hotkey", hot,
		"tao", st.Balance(amount), "alpha", st.Balance(out), "netuid", netuid, "fee", st.Balance(fee))}, nil
}

func (s *state) removeStake(cold, hot st.AccountID, netuid st.NetUID, alpha uint64) ([]st.Event, error) {
	sn, ok := s.subnets[netuid]
	if !ok {
		return nil, st.ErrSubnetNotExists
	}
	if !sn.subtokenEnabled {
		return nil, st.ErrSubtokenDisabled
	}
	if alpha == 0 {
		return nil, st.ErrAmountTooLow
	}
	have := sn.stake[hot][cold]
	if alpha > have {
		return nil, st.ErrNotEnoughStakeToWithdraw
	}
	out, fee, authorTAO, err := sn.sellWithFee(alpha, s.g.feeRate)
	if err != nil {
		return nil, st.ErrInsufficientLiquidity
	}
	if have-alpha != 0 && out < s.g.minStake {
		return nil, st.ErrAmountTooLow
	}
	if _, ok := s.owner[hot]; !ok {
		return nil, st.ErrHotKeyAccountNotExists
	}
	s.stakeSub(sn, hot, cold, alpha)
	// The chain swaps the alpha fee for TAO (fee-less) after the sale and
	// pays that TAO to the block author.
	sn.applySell(alpha-fee, out)
	sn.applySell(fee, authorTAO)
	s.acct(cold).free += out
	s.acct(s.authorOf()).free += authorTAO
	return []st.Event{ev(st.PalletSubtensor, "StakeRemoved", "coldkey", cold, "hotkey", hot,
		"tao", st.Balance(out), "alpha", st.Balance(alpha), "netuid", netuid, "fee", st.Balance(fee))}, nil
}
