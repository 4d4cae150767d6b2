// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";

import {LendingMarket} from "../LendingMarket.sol";
import {ICollateralOracle} from "../interfaces/ICollateralOracle.sol";
import {ICircuitBreaker} from "../interfaces/ICircuitBreaker.sol";
import {IRateModel} from "../interfaces/IRateModel.sol";
import {MarketParams} from "../interfaces/ILendingMarket.sol";

/// @title LendingMarketHarness
/// @notice Test only: a `LendingMarket` with placeholder modules (never called) whose internal
///         liquidation math is exposed: the health factor, the close factor's cap, and the amounts
///         of a fast liquidation at given borrow totals. The LLTV (hence the incentive), close
///         factor and dust are the constructor's.
contract LendingMarketHarness is LendingMarket {
    constructor(uint256 lltv, uint256 closeFactor, uint256 dustDebt)
        LendingMarket(
            IERC20(address(1)),
            IERC20(address(2)),
            ICollateralOracle(address(3)),
            ICircuitBreaker(address(4)),
            IRateModel(address(5)),
            msg.sender,
            MarketParams({
                maxLtv: lltv - 0.02e18,
                lltv: lltv,
                closeFactor: closeFactor,
                reserveFactor: 0,
                keeperFee: 0,
                dustDebt: dustDebt,
                supplyCap: type(uint128).max,
                borrowCap: type(uint128).max,
                collateralCap: type(uint120).max
            })
        )
    {}

    function healthFactorOf(uint256 collateral, uint256 debt, uint256 price) external view returns (uint256) {
        return _healthFactor(collateral, debt, price);
    }

    function maxRepayOf(uint256 debt) external view returns (uint256) {
        return _maxRepay(debt);
    }

    /// @notice `_liquidationAmounts` for a position owing `owed` borrow shares at the given totals
    ///         (written to storage: call it, do not send it).
    function liquidationAmountsOf(
        uint256 owed,
        uint256 collateral,
        uint256 price,
        uint256 repayAssets,
        uint128 borrowAssets,
        uint128 borrowShares
    )
        external
        returns (uint256 debt, uint256 healthFactor, uint256 repaid, uint256 repaidShares, uint256 seized)
    {
        (_totals.borrowAssets, _totals.borrowShares) = (borrowAssets, borrowShares);
        Liquidation memory l;
        (l.owed, l.collateral, l.price) = (owed, collateral, price);
        _liquidationAmounts(l, repayAssets);
        return (l.debt, l.healthFactor, l.repaid, l.repaidShares, l.seized);
    }
}
