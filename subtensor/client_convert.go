package subtensor

import (
	"fmt"
	"math"
	"math/big"
	"reflect"
	"strings"

	"github.com/gotensor/gotensor/subtensor/internal/metadata"
	"github.com/gotensor/gotensor/subtensor/scale"
)

// This file maps the metadata package's dynamic values (maps by field name,
// slices, *big.Int, [N]byte, EnumValue) onto the subtensor Go types. It
// serves the wide, slowly changing structs (SubnetInfo, hyperparameters,
// DynamicInfo, StakeInfo, DelegateInfo, and Metagraph on runtimes the fast
// decoder does not accept): fields are matched by name ignoring case and
// underscores, so a runtime that adds or drops fields still decodes, and
// values are converted to the Go field's type with range checks. The large
// results a metagraph sync reads (Metagraph, neurons, weight rows) take the
// typed fast decoders of fastdecode*.go, checked against this mapping.

var (
	ipAddrType    = reflect.TypeFor[IPAddr]()
	accountIDType = reflect.TypeFor[AccountID]()
)

// fixedFracBits says how many fractional bits a fixed-point chain field
// decoded into a float64 has (I96F32, I32F32: 32; U64F64: 64).
var fixedFracBits = map[string]uint{"burnincreasemult": 64}

func normName(s string) string {
	return strings.ToLower(strings.ReplaceAll(s, "_", ""))
}

// fieldAliases maps normalized Go field names to normalized chain field
// names where the two differ.
var fieldAliases = map[string][]string{
	"axon":                 {"axoninfo"},
	"prometheus":           {"prometheusinfo"},
	"identity":             {"subnetidentity"},
	"emissionvalue":        {"emissionvalues"},
	"delegate":             {"delegatess58"},
	"owner":                {"ownerss58"},
	"maxallowedvalidators": {"maxallowedvalidators", "maxvalidators"},
	"netuid":               {"netuid"},
	"hash":                 {"commithash"},
}

// assign stores the dynamic value v into dst (settable), converting as
// needed. path names the field for errors.
func assign(dst reflect.Value, v any, path string) error {
	if v == nil {
		dst.Set(reflect.Zero(dst.Type()))
		return nil
	}
	t := dst.Type()
	switch t {
	case ipAddrType:
		u, err := toBig(v)
		if err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		if u.Sign() < 0 || u.BitLen() > 128 {
			return fmt.Errorf("%s: ip out of range", path)
		}
		lo := new(big.Int).And(u, new(big.Int).SetUint64(math.MaxUint64)).Uint64()
		hi := new(big.Int).Rsh(u, 64).Uint64()
		dst.Set(reflect.ValueOf(IPAddr{Hi: hi, Lo: lo}))
		return nil
	case accountIDType:
		b, ok := v.([32]byte)
		if !ok {
			return fmt.Errorf("%s: account is %T", path, v)
		}
		dst.Set(reflect.ValueOf(AccountID(b)))
		return nil
	}
	switch t.Kind() {
	case reflect.Pointer:
		p := reflect.New(t.Elem())
		if err := assign(p.Elem(), v, path); err != nil {
			return err
		}
		dst.Set(p)
		return nil
	case reflect.Bool:
		b, ok := v.(bool)
		if !ok {
			return fmt.Errorf("%s: want bool, got %T", path, v)
		}
		dst.SetBool(b)
		return nil
	case reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		u, err := toBig(v)
		if err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		if u.Sign() < 0 {
			return fmt.Errorf("%s: negative value for unsigned field", path)
		}
		max := uint64(1)<<(t.Bits()-1)<<1 - 1
		if !u.IsUint64() || u.Uint64() > max {
			if t.Kind() == reflect.Uint64 {
				// u128 volumes saturate into u64 fields (documented on
				// the fields that do it).
				dst.SetUint(math.MaxUint64)
				return nil
			}
			return fmt.Errorf("%s: %s overflows %s", path, u, t)
		}
		dst.SetUint(u.Uint64())
		return nil
	case reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		u, err := toBig(v)
		if err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		if !u.IsInt64() || dst.OverflowInt(u.Int64()) {
			return fmt.Errorf("%s: %s overflows %s", path, u, t)
		}
		dst.SetInt(u.Int64())
		return nil
	case reflect.Float64:
		// Fixed-point numbers decode as {bits: integer}.
		if m, ok := v.(map[string]any); ok {
			v = m["bits"]
		}
		u, err := toBig(v)
		if err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		frac := uint(32)
		if f, ok := fixedFracBits[normName(path[strings.LastIndex(path, ".")+1:])]; ok {
			frac = f
		}
		f, _ := new(big.Float).SetInt(u).Float64()
		dst.SetFloat(math.Ldexp(f, -int(frac)))
		return nil
	case reflect.String:
		b, err := toBytes(v)
		if err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		dst.SetString(string(b))
		return nil
	case reflect.Slice:
		items, ok := v.([]any)
		if !ok {
			if b, isBytes := v.([]byte); isBytes && t.Elem().Kind() == reflect.Uint8 {
				dst.SetBytes(append([]byte(nil), b...))
				return nil
			}
			return fmt.Errorf("%s: want sequence, got %T", path, v)
		}
		s := reflect.MakeSlice(t, len(items), len(items))
		for i, it := range items {
			if err := assign(s.Index(i), it, fmt.Sprintf("%s[%d]", path, i)); err != nil {
				return err
			}
		}
		dst.Set(s)
		return nil
	case reflect.Array:
		switch x := v.(type) {
		case []any:
			if len(x) != t.Len() {
				return fmt.Errorf("%s: want %d elements, got %d", path, t.Len(), len(x))
			}
			for i, it := range x {
				if err := assign(dst.Index(i), it, fmt.Sprintf("%s[%d]", path, i)); err != nil {
					return err
				}
			}
			return nil
		case [32]byte:
			if t.Len() == 32 && t.Elem().Kind() == reflect.Uint8 {
				reflect.Copy(dst, reflect.ValueOf(x[:]))
				return nil
			}
		}
		return fmt.Errorf("%s: want array, got %T", path, v)
	case reflect.Struct:
		return assignStruct(dst, v, path)
	}
	return fmt.Errorf("%s: unsupported Go type %s", path, t)
}

func assignStruct(dst reflect.Value, v any, path string) error {
	t := dst.Type()
	switch x := v.(type) {
	case map[string]any:
		byName := make(map[string]any, len(x))
		for k, val := range x {
			byName[normName(k)] = val
		}
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			if !f.IsExported() {
				continue
			}
			if f.Anonymous && f.Type.Kind() == reflect.Struct {
				if err := assignStruct(dst.Field(i), v, path); err != nil {
					return err
				}
				continue
			}
			n := normName(f.Name)
			val, ok := byName[n]
			if !ok {
				for _, alias := range fieldAliases[n] {
					if val, ok = byName[alias]; ok {
						break
					}
				}
			}
			if !ok {
				continue
			}
			if err := assign(dst.Field(i), val, path+"."+f.Name); err != nil {
				return err
			}
		}
		return nil
	case []any:
		// Tuples fill structs positionally.
		j := 0
		for i := 0; i < t.NumField() && j < len(x); i++ {
			if !t.Field(i).IsExported() {
				continue
			}
			if err := assign(dst.Field(i), x[j], path+"."+t.Field(i).Name); err != nil {
				return err
			}
			j++
		}
		return nil
	}
	return fmt.Errorf("%s: want composite, got %T", path, v)
}

func toBig(v any) (*big.Int, error) {
	switch x := v.(type) {
	case uint8:
		return new(big.Int).SetUint64(uint64(x)), nil
	case uint16:
		return new(big.Int).SetUint64(uint64(x)), nil
	case uint32:
		return new(big.Int).SetUint64(uint64(x)), nil
	case uint64:
		return new(big.Int).SetUint64(x), nil
	case int8:
		return big.NewInt(int64(x)), nil
	case int16:
		return big.NewInt(int64(x)), nil
	case int32:
		return big.NewInt(int64(x)), nil
	case int64:
		return big.NewInt(x), nil
	case *big.Int:
		return x, nil
	case map[string]any:
		// one-field newtypes that were not made transparent
		if len(x) == 1 {
			for _, inner := range x {
				return toBig(inner)
			}
		}
	case metadata.EnumValue:
		return toBig(x.Value)
	}
	return nil, fmt.Errorf("want integer, got %T", v)
}

func toBytes(v any) ([]byte, error) {
	switch x := v.(type) {
	case []byte:
		return x, nil
	case string:
		return []byte(x), nil
	case []any:
		b := make([]byte, len(x))
		for i, it := range x {
			u, err := toBig(it)
			if err != nil || !u.IsUint64() || u.Uint64() > 255 {
				return nil, fmt.Errorf("want bytes, element %d is %v", i, it)
			}
			b[i] = byte(u.Uint64())
		}
		return b, nil
	}
	return nil, fmt.Errorf("want bytes, got %T", v)
}

// fromUint128 converts the scale form of an IP.
func ipFromUint128(u scale.Uint128) IPAddr { return IPAddr{Hi: u.Hi, Lo: u.Lo} }
