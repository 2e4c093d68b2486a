package subtensor

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"net/netip"
	"strconv"
	"strings"
)

// IPAddr is an IP address as the chain stores it: a u128. IPv4 addresses are
// the 32-bit value in the low bits.
type IPAddr struct {
	Hi, Lo uint64
}

// IPv4Addr returns the chain encoding of an IPv4 address given as 4 bytes.
func IPv4Addr(a, b, c, d byte) IPAddr {
	return IPAddr{Lo: uint64(binary.BigEndian.Uint32([]byte{a, b, c, d}))}
}

// IPFromNetip returns the chain encoding of an address and its ip_type (4 or
// 6). IPv4-mapped IPv6 addresses stay IPv6, as the chain would store them.
func IPFromNetip(a netip.Addr) (IPAddr, uint8) {
	if a.Is4() {
		b := a.As4()
		return IPAddr{Lo: uint64(binary.BigEndian.Uint32(b[:]))}, 4
	}
	b := a.As16()
	return IPAddr{Hi: binary.BigEndian.Uint64(b[:8]), Lo: binary.BigEndian.Uint64(b[8:])}, 6
}

// ParseIP parses a textual IPv4 or IPv6 address into the chain encoding and
// its ip_type.
func ParseIP(s string) (IPAddr, uint8, error) {
	a, err := netip.ParseAddr(s)
	if err != nil {
		return IPAddr{}, 0, fmt.Errorf("subtensor: parse ip %q: %w", s, err)
	}
	if a.Zone() != "" {
		return IPAddr{}, 0, fmt.Errorf("subtensor: parse ip %q: zones are not representable on chain", s)
	}
	ip, t := IPFromNetip(a)
	return ip, t, nil
}

// IsV4 reports whether the value is read as IPv4, the way the Python SDK's
// netaddr.IPAddress(int) infers it: any value <= 2^32−1.
func (ip IPAddr) IsV4() bool { return ip.Hi == 0 && ip.Lo <= math.MaxUint32 }

// IsZero reports whether the address is 0.
func (ip IPAddr) IsZero() bool { return ip.Hi == 0 && ip.Lo == 0 }

// Netip converts the value to a netip.Addr, IPv4 when IsV4.
func (ip IPAddr) Netip() netip.Addr {
	if ip.IsV4() {
		var b [4]byte
		binary.BigEndian.PutUint32(b[:], uint32(ip.Lo))
		return netip.AddrFrom4(b)
	}
	var b [16]byte
	binary.BigEndian.PutUint64(b[:8], ip.Hi)
	binary.BigEndian.PutUint64(b[8:], ip.Lo)
	return netip.AddrFrom16(b)
}

// String formats the address as the Python SDK does (str(netaddr.IPAddress(v))):
// dotted quad for values <= 2^32−1, otherwise compressed lowercase IPv6 with
// "::ffff:a.b.c.d" for IPv4-mapped addresses.
func (ip IPAddr) String() string { return ip.Netip().String() }

// AxonInfo is where a neuron serves (the chain's AxonInfo plus the neuron's
// keys). It satisfies the dendrite's target interface through Address and
// HotkeySS58.
type AxonInfo struct {
	Block        uint64
	Version      uint32
	IP           IPAddr
	Port         uint16
	IPType       uint8
	Protocol     uint8
	Placeholder1 uint8
	Placeholder2 uint8
	Hotkey       AccountID
	Coldkey      AccountID
}

// IsServing reports whether the neuron has announced an address, as the
// Python SDK decides it (ip != "0.0.0.0").
func (a AxonInfo) IsServing() bool { return !a.IP.IsZero() }

// Address returns host:port with IPv6 hosts bracketed, ready for net.Dial or
// an http URL.
func (a AxonInfo) Address() string {
	host := a.IP.String()
	if strings.Contains(host, ":") {
		return "[" + host + "]:" + strconv.Itoa(int(a.Port))
	}
	return host + ":" + strconv.Itoa(int(a.Port))
}

// HotkeySS58 returns the neuron hotkey's SS58 address.
func (a AxonInfo) HotkeySS58() string { return a.Hotkey.String() }

// IPString returns the Python SDK's AxonInfo.ip_str(): "/ipv4/1.2.3.4:8091".
func (a AxonInfo) IPString() string {
	return "/ipv" + strconv.Itoa(int(a.IPType)) + "/" + a.IP.String() + ":" + strconv.Itoa(int(a.Port))
}

// String is a short human form that never includes secrets.
func (a AxonInfo) String() string {
	return fmt.Sprintf("AxonInfo(%s, %s, v%d)", a.IPString(), a.Hotkey.String(), a.Version)
}

// ServeAxonParams are the arguments of serve_axon.
type ServeAxonParams struct {
	NetUID       NetUID
	Version      uint32
	IP           IPAddr
	Port         uint16
	IPType       uint8 // 4 or 6
	Protocol     uint8
	Placeholder1 uint8
	Placeholder2 uint8
}

// ServeAxonParamsFor builds ServeAxonParams from a "host:port" address, as an
// axon would announce itself.
func ServeAxonParamsFor(netuid NetUID, addrPort string, version uint32) (ServeAxonParams, error) {
	ap, err := netip.ParseAddrPort(addrPort)
	if err != nil {
		return ServeAxonParams{}, fmt.Errorf("subtensor: parse axon address %q: %w", addrPort, err)
	}
	if ap.Addr().Zone() != "" {
		return ServeAxonParams{}, errors.New("subtensor: axon address zones are not representable on chain")
	}
	ip, t := IPFromNetip(ap.Addr())
	return ServeAxonParams{NetUID: netuid, Version: version, IP: ip, Port: ap.Port(), IPType: t, Protocol: 4}, nil
}

// ValidIPAddress reports whether the chain's is_valid_ip_address accepts
// the value for the given ip_type (allowZero as serve_axon passes it: true).
func ValidIPAddress(ipType uint8, ip IPAddr, allowZero bool) bool {
	if !allowZero && ip.IsZero() {
		return false
	}
	switch ipType {
	case 4:
		if ip.Hi != 0 || ip.Lo >= math.MaxUint32 {
			return false
		}
		if ip.Lo == 0x7f000001 {
			return false
		}
	case 6:
		if ip.Hi == math.MaxUint64 && ip.Lo == math.MaxUint64 {
			return false
		}
		if ip.Hi == 0 && ip.Lo == 1 {
			return false
		}
	}
	return true
}
