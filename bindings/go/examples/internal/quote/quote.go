// Package quote is the wire record the example gateway writes into an hftipc channel and the
// example consumer reads back: a fixed 64-byte, little-endian binary layout that a C program
// can decode with a plain struct.
//
// # Record layout (version 1)
//
// Every message in the channel is exactly RecordSize (64) bytes. All integers are
// little-endian; prices are fixed-point with 8 decimal places (189.12 is 18912000000).
//
//	offset size type      field
//	     0    2 uint16    version      1
//	     2    2 uint16    kind         1 = quote, 2 = end of stream (only seq is meaningful)
//	     4    4 uint32    reserved     0
//	     8    8 uint64    seq          0, 1, 2, ... per gateway run; a gap means a lost record
//	    16    8 int64     ts_ns        quote timestamp, Unix time in nanoseconds
//	    24    8 int64     bid_e8       bid price x 1e8
//	    32    8 int64     ask_e8       ask price x 1e8
//	    40    4 uint32    bid_size
//	    44    4 uint32    ask_size
//	    48   16 [16]byte  symbol       ASCII, NUL-padded (not NUL-terminated when 16 long)
//
// The same layout in C (x86-64 and aarch64 have no padding here):
//
//	struct hftipc_quote_v1 {
//	    uint16_t version, kind;
//	    uint32_t reserved;
//	    uint64_t seq;
//	    int64_t  ts_ns, bid_e8, ask_e8;
//	    uint32_t bid_size, ask_size;
//	    char     symbol[16];
//	};
//	_Static_assert(sizeof(struct hftipc_quote_v1) == 64, "quote record is 64 bytes");
//
// A reader must check version (and may skip records of unknown kind).
package quote

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Record geometry and field values.
const (
	RecordSize = 64
	Version    = 1
	KindQuote  = 1
	KindEnd    = 2
	SymbolLen  = 16
	PriceScale = 100_000_000 // prices are stored as value x 1e8
	// SlotSize is the channel slot size that holds one record (record + 8-byte slot header).
	SlotSize = RecordSize + 8
)

// Quote is one decoded record.
type Quote struct {
	Kind    uint16
	Seq     uint64
	TsNs    int64
	BidE8   int64
	AskE8   int64
	BidSize uint32
	AskSize uint32
	Symbol  string
}

// Encode writes q as a version-1 record into dst, which must be at least RecordSize long.
func Encode(dst []byte, q *Quote) {
	_ = dst[RecordSize-1]
	le := binary.LittleEndian
	le.PutUint16(dst[0:], Version)
	le.PutUint16(dst[2:], q.Kind)
	le.PutUint32(dst[4:], 0)
	le.PutUint64(dst[8:], q.Seq)
	le.PutUint64(dst[16:], uint64(q.TsNs))
	le.PutUint64(dst[24:], uint64(q.BidE8))
	le.PutUint64(dst[32:], uint64(q.AskE8))
	le.PutUint32(dst[40:], q.BidSize)
	le.PutUint32(dst[44:], q.AskSize)
	sym := dst[48:64]
	n := copy(sym, q.Symbol)
	clear(sym[n:])
}

// Decode parses a record. It refuses a wrong length or an unknown version.
func Decode(src []byte, q *Quote) error {
	if len(src) != RecordSize {
		return fmt.Errorf("quote: record of %d bytes, want %d", len(src), RecordSize)
	}
	le := binary.LittleEndian
	if v := le.Uint16(src[0:]); v != Version {
		return fmt.Errorf("quote: record version %d, want %d", v, Version)
	}
	q.Kind = le.Uint16(src[2:])
	q.Seq = le.Uint64(src[8:])
	q.TsNs = int64(le.Uint64(src[16:]))
	q.BidE8 = int64(le.Uint64(src[24:]))
	q.AskE8 = int64(le.Uint64(src[32:]))
	q.BidSize = le.Uint32(src[40:])
	q.AskSize = le.Uint32(src[44:])
	sym := src[48:64]
	end := 0
	for end < len(sym) && sym[end] != 0 {
		end++
	}
	q.Symbol = string(sym[:end])
	return nil
}

// JSONQuote is the JSON form the gateway accepts, one object per line:
//
//	{"symbol":"AAPL","bid":"189.12","ask":"189.14","bid_size":300,"ask_size":200,"ts":1700000000123456789}
//
// Prices may be JSON numbers or strings; they are converted exactly (no float rounding).
type JSONQuote struct {
	Symbol  string      `json:"symbol"`
	Bid     json.Number `json:"bid"`
	Ask     json.Number `json:"ask"`
	BidSize uint32      `json:"bid_size"`
	AskSize uint32      `json:"ask_size"`
	Ts      int64       `json:"ts"`
}

// ParseJSON decodes one JSON quote into q (Kind = KindQuote; Seq is left to the caller).
func ParseJSON(line []byte, q *Quote) error {
	var j JSONQuote
	if err := json.Unmarshal(line, &j); err != nil {
		return err
	}
	if j.Symbol == "" || len(j.Symbol) > SymbolLen {
		return fmt.Errorf("quote: symbol %q must be 1..%d bytes", j.Symbol, SymbolLen)
	}
	bid, err := ParsePrice(string(j.Bid))
	if err != nil {
		return err
	}
	ask, err := ParsePrice(string(j.Ask))
	if err != nil {
		return err
	}
	*q = Quote{Kind: KindQuote, TsNs: j.Ts, BidE8: bid, AskE8: ask, BidSize: j.BidSize,
		AskSize: j.AskSize, Symbol: j.Symbol}
	return nil
}

var errPrice = errors.New("quote: price must be a decimal with at most 8 fractional digits")

// ParsePrice converts a decimal string such as "189.12" to fixed point x 1e8, exactly.
func ParsePrice(s string) (int64, error) {
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	whole, frac, _ := strings.Cut(s, ".")
	if whole == "" || len(frac) > 8 {
		return 0, errPrice
	}
	w, err := strconv.ParseInt(whole, 10, 64)
	if err != nil || w > (1<<63-1)/PriceScale-1 {
		return 0, errPrice
	}
	var f int64
	if frac != "" {
		f, err = strconv.ParseInt(frac+strings.Repeat("0", 8-len(frac)), 10, 64)
		if err != nil || f < 0 {
			return 0, errPrice
		}
	}
	v := w*PriceScale + f
	if neg {
		v = -v
	}
	return v, nil
}

// FormatPrice renders a fixed-point x 1e8 price with at least 2 decimals.
func FormatPrice(v int64) string {
	sign := ""
	if v < 0 {
		sign, v = "-", -v
	}
	frac := strconv.FormatInt(v%PriceScale+PriceScale, 10)[1:]
	frac = strings.TrimRight(frac, "0")
	for len(frac) < 2 {
		frac += "0"
	}
	return sign + strconv.FormatInt(v/PriceScale, 10) + "." + frac
}
