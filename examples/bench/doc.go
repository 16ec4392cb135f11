// Package bench compares Liaison's role decisions with
// github.com/casbin/casbin/v2, the authorization library a Go team would
// otherwise pick for the same job.
//
// Both sides model the default hierarchy of [policy.Default]
// (normal < business < admin < owner, permissions inherited upward) over
// 10,000 users spread across 100 orgs. Casbin uses its RBAC-with-domains
// model, one domain per org, with the model text and every policy line built
// in Go; Liaison resolves each user's roles once with [policy.Policy.Subject]
// and then calls [policy.Decide]. TestSameDecisions checks that both give
// the same allow or deny answer on every decision the benchmarks run, so
// BenchmarkCasbinEnforce and BenchmarkLiaisonDecide measure equal work.
//
// Two more casbin benchmarks bound the comparison from casbin's side:
// BenchmarkCasbinEnforceSharedPolicy keeps one set of policy lines for all
// orgs (16 lines instead of 1,600), and BenchmarkCasbinCachedEnforce answers
// from casbin's decision cache, warmed before the timer starts.
//
// Run it with:
//
//	cd examples && go test -run=. -bench=. -benchmem ./bench/
package bench
