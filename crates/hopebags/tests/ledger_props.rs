//! Property test of the ledger: any sequence of receipts, purchases, builds, transfers,
//! counts, fulfilments and adjustments keeps every on-hand figure equal to the sum of the
//! ledger's lines and never below zero, and a refused movement changes nothing.

use hopebags::{Catalogue, Code, Ledger, LocationId, Movement, Sku};
use proptest::prelude::*;

fn cat() -> Catalogue {
    Catalogue::shipped()
}

fn sku_strategy(cat: &Catalogue) -> impl Strategy<Value = Sku> {
    let mut all: Vec<Sku> = cat
        .items
        .iter()
        .map(|i| Sku::Item(i.code.clone()))
        .collect();
    all.extend(cat.kits.iter().map(|k| Sku::Kit(k.code.clone())));
    proptest::sample::select(all)
}

fn kit_strategy(cat: &Catalogue) -> impl Strategy<Value = Code> {
    proptest::sample::select(cat.kits.iter().map(|k| k.code.clone()).collect::<Vec<_>>())
}

fn movement(cat: &Catalogue) -> impl Strategy<Value = Movement> {
    let loc = (1i64..=3).prop_map(LocationId);
    prop_oneof![
        (loc.clone(), sku_strategy(cat), 0u32..20).prop_map(|(at, sku, qty)| Movement::Receive {
            at,
            sku,
            qty,
            from: "Drive".into()
        }),
        (loc.clone(), sku_strategy(cat), 0u32..20).prop_map(|(at, sku, qty)| Movement::Purchase {
            at,
            sku,
            qty
        }),
        (loc.clone(), kit_strategy(cat), 0u32..4).prop_map(|(at, kit, count)| Movement::Build {
            at,
            kit,
            count
        }),
        (loc.clone(), loc.clone(), sku_strategy(cat), 0u32..15)
            .prop_map(|(from, to, sku, qty)| Movement::Transfer { from, to, sku, qty }),
        (loc.clone(), sku_strategy(cat), -15i64..15, any::<bool>()).prop_map(
            |(at, sku, delta, why)| Movement::Adjust {
                at,
                sku,
                delta,
                reason: if why { "damaged".into() } else { String::new() },
            }
        ),
        (loc.clone(), sku_strategy(cat), 0u32..10).prop_map(|(at, sku, counted)| Movement::Count {
            at,
            sku,
            counted
        }),
        (loc, kit_strategy(cat), 0u32..4).prop_map(|(at, kit, qty)| Movement::Fulfil {
            at,
            kit,
            qty
        }),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]
    #[test]
    fn on_hand_is_the_ledgers_sum_and_never_negative(
        moves in proptest::collection::vec(movement(&cat()), 0..80)
    ) {
        let cat = cat();
        let mut ledger = Ledger::new();
        for m in &moves {
            let before_lines = ledger.lines().len();
            let before: Vec<(LocationId, Sku, i64)> =
                ledger.balances().map(|(l, s, n)| (l, s.clone(), n)).collect();
            match ledger.apply(&cat, m) {
                Ok(_) => {}
                Err(_) => {
                    prop_assert_eq!(ledger.lines().len(), before_lines);
                    let after: Vec<(LocationId, Sku, i64)> =
                        ledger.balances().map(|(l, s, n)| (l, s.clone(), n)).collect();
                    prop_assert_eq!(after, before);
                }
            }
            for (l, s, n) in ledger.balances() {
                prop_assert!(n >= 0, "{} of {} at {}", n, s, l);
                prop_assert_eq!(n, ledger.sum(l, s));
            }
        }
    }
}
