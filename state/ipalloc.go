package state

import (
	"encoding/binary"
	"net"
	"net/netip"
	"slices"
)

// addrRange is a range of addresses, both ends included.
type addrRange struct{ start, end netip.Addr }

func (r addrRange) contains(a netip.Addr) bool {
	return r.start.Compare(a) <= 0 && a.Compare(r.end) <= 0
}

// size is the number of addresses in r, saturating at 1<<62.
func (r addrRange) size() uint64 {
	a, b := r.start.As16(), r.end.As16()
	hiA, loA := binary.BigEndian.Uint64(a[:8]), binary.BigEndian.Uint64(a[8:])
	hiB, loB := binary.BigEndian.Uint64(b[:8]), binary.BigEndian.Uint64(b[8:])
	const most = 1 << 62
	if hiB != hiA {
		if hiB-hiA > 1 || loB >= loA {
			return most
		}
	}
	d := loB - loA // wraps correctly when hiB == hiA+1 and loB < loA
	if d >= most {
		return most
	}
	return d + 1
}

// prefixRange returns the first and the last address of p.
func prefixRange(p netip.Prefix) (netip.Addr, netip.Addr) {
	first := p.Masked().Addr()
	b := first.AsSlice()
	host := b[:]
	for i := p.Bits(); i < len(b)*8; i++ {
		host[i/8] |= 0x80 >> (i % 8)
	}
	last, _ := netip.AddrFromSlice(host)
	return first, last
}

// defaultPools are Neutron's default allocation pools
// (ipam/utils.generate_pools): the prefix without its network address
// and, for IPv4, its broadcast address (a /31 or /32 keeps both), less
// the gateway.
func defaultPools(p netip.Prefix, gateway netip.Addr) []addrRange {
	first, last := prefixRange(p)
	start, end := first, last
	if p.Addr().Is4() && p.Bits() < 31 {
		start, end = first.Next(), last.Prev()
	} else if p.Addr().Is6() && p.Bits() < 128 {
		start = first.Next()
	}
	r := addrRange{start, end}
	if !gateway.IsValid() || !r.contains(gateway) {
		return []addrRange{r}
	}
	var out []addrRange
	if gateway != start {
		out = append(out, addrRange{start, gateway.Prev()})
	}
	if gateway != end {
		out = append(out, addrRange{gateway.Next(), end})
	}
	return out
}

// parsePools checks allocation pools as Neutron does: addresses of the
// subnet's version inside it, start not after end, no overlap, the
// gateway outside. They come back sorted.
func parsePools(pools []AllocationPool, p netip.Prefix, gateway netip.Addr) ([]addrRange, error) {
	out := make([]addrRange, 0, len(pools))
	for _, pool := range pools {
		start, err1 := netip.ParseAddr(pool.Start)
		end, err2 := netip.ParseAddr(pool.End)
		if err1 != nil || err2 != nil || !p.Contains(start) || !p.Contains(end) || end.Less(start) {
			return nil, &InvalidError{Field: "allocation_pools", Reason: "the pool " + pool.Start + "-" + pool.End + " is not a range within " + p.String()}
		}
		r := addrRange{start, end}
		if gateway.IsValid() && r.contains(gateway) {
			return nil, &InvalidError{Field: "allocation_pools", Reason: "the gateway " + gateway.String() + " conflicts with the pool " + pool.Start + "-" + pool.End}
		}
		out = append(out, r)
	}
	slices.SortFunc(out, func(a, b addrRange) int { return a.start.Compare(b.start) })
	for i := 1; i < len(out); i++ {
		if out[i].start.Compare(out[i-1].end) <= 0 {
			return nil, &InvalidError{Field: "allocation_pools", Reason: "the pools " + out[i-1].start.String() + "-" + out[i-1].end.String() + " and " + out[i].start.String() + "-" + out[i].end.String() + " overlap"}
		}
	}
	return out, nil
}

// allocator hands out the addresses of a subnet's pools: the next free
// address after the last one given, wrapping around, so that an address
// released is not given again before the others have been (and that
// allocation is deterministic for a given order of requests).
type allocator struct {
	pools    []addrRange
	capacity uint64
	used     map[netip.Addr]string // address -> port id
	inPools  uint64                // used addresses inside the pools
	next     netip.Addr            // where the search starts
}

func newAllocator(pools []addrRange) allocator {
	a := allocator{pools: pools, used: map[netip.Addr]string{}}
	for _, r := range pools {
		a.capacity += r.size()
	}
	if len(pools) > 0 {
		a.next = pools[0].start
	}
	return a
}

func (a *allocator) inPool(addr netip.Addr) bool {
	for _, r := range a.pools {
		if r.contains(addr) {
			return true
		}
	}
	return false
}

// take marks addr as used by port.
func (a *allocator) take(addr netip.Addr, port string) {
	a.used[addr] = port
	if a.inPool(addr) {
		a.inPools++
	}
}

// release frees addr.
func (a *allocator) release(addr netip.Addr) {
	if _, ok := a.used[addr]; !ok {
		return
	}
	delete(a.used, addr)
	if a.inPool(addr) {
		a.inPools--
	}
}

// allocate returns the next free address for port, or false when the
// pools are full. It looks at no more addresses than are used, plus one.
func (a *allocator) allocate(port string) (netip.Addr, bool) {
	if a.inPools >= a.capacity {
		return netip.Addr{}, false
	}
	c := a.next
	for {
		i := 0
		for i < len(a.pools) && a.pools[i].end.Less(c) {
			i++
		}
		if i == len(a.pools) {
			c, i = a.pools[0].start, 0
		}
		if c.Less(a.pools[i].start) {
			c = a.pools[i].start
		}
		if _, taken := a.used[c]; !taken {
			a.take(c, port)
			a.next = c.Next()
			if !a.next.IsValid() {
				a.next = a.pools[0].start
			}
			return c, true
		}
		c = c.Next()
		if !c.IsValid() {
			c = a.pools[0].start
		}
	}
}

// eui64 is the address a host with the given MAC configures on a /64 by
// SLAAC (RFC 4291 appendix A), as Neutron's ipv6_utils.get_ipv6_addr_by_EUI64.
func eui64(p netip.Prefix, mac string) (netip.Addr, bool) {
	hw, err := net.ParseMAC(mac)
	if err != nil || len(hw) != 6 || !p.Addr().Is6() {
		return netip.Addr{}, false
	}
	b := p.Masked().Addr().As16()
	b[8], b[9], b[10], b[11] = hw[0]^0x02, hw[1], hw[2], 0xff
	b[12], b[13], b[14], b[15] = 0xfe, hw[3], hw[4], hw[5]
	return netip.AddrFrom16(b), true
}
