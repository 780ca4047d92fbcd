"""Channel rebates (渠道返利): policies that pay stores, dealers and their people straight from
the goods' codes — Bb (防窜货返利, held until the dealer's own store takes the case), bC (双向红包,
a consumer's scan of goods a store registered pays the store) and BbC (the same scan also pays the
store's dealer). Each payout is a credit explaining itself to its receiver, paid from the policy's
wallet budget; diverted goods earn nothing."""
