"""The rebates' console pages: 返利政策 (list, new policy, a policy with its budget, outcome and
credits) and 返利明细 (every credit); the channel metrics (返利看板) are analytics'. Importing this
package registers them."""

from yima.rebates.console import credits, policies

__all__ = ["credits", "policies"]
