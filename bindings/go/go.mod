module github.com/hftipc/hftipc/bindings/go

go 1.24
