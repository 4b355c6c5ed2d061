module github.com/hftipc/hftipc/samples

go 1.24

require github.com/hftipc/hftipc/bindings/go v0.0.0

// The binding from this repository, not a published version: the samples build offline.
replace github.com/hftipc/hftipc/bindings/go => ../bindings/go
