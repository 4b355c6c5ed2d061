module github.com/hftipc/hftipc/samples/orchestrator

go 1.24

require github.com/hftipc/hftipc/bindings/go v0.0.0

replace github.com/hftipc/hftipc/bindings/go => ../../bindings/go
