// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ReentrancyGuard} from "@openzeppelin/contracts/utils/ReentrancyGuard.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";

import {IConstantProductPool} from "./interfaces/IConstantProductPool.sol";
import {WAD} from "./libraries/WadMath.sol";

/// @title ConstantProductPool
/// @notice x·y = k pool of the vault share (base) against the stablecoin (quote), with a 0.30% fee
///         kept by LPs, the pool itself as the LP token, and a Uniswap-v3-style observation ring
///         buffer of cumulative price and cumulative base reserve, so that TWAPs are depth-aware.
/// @dev Constructor: (base, quote, name, symbol, initialObservationCardinality).
///      At most one observation is written per block, at the first interaction, with the reserves
///      as they stood before it: a trade cannot move the TWAP within its own block.
contract ConstantProductPool is IConstantProductPool, ERC20, ReentrancyGuard {
    using SafeERC20 for IERC20;

    /// @dev Burned on the first deposit so the LP share price cannot be inflated from dust.
    uint256 public constant MINIMUM_LIQUIDITY = 1000;
    uint256 public constant FEE_BPS = 30;
    uint16 public constant MAX_CARDINALITY = 65_535;
    address private constant DEAD = address(0xdead);

    /// @dev Two slots: prices up to 1e30 over 1e9 s fit 216 bits with room to spare.
    struct Observation {
        uint32 timestamp;
        bool initialized;
        uint216 priceCumulative; // Σ price(1e18) · seconds
        uint256 reserveBaseCumulative; // Σ reserveBase · seconds
    }

    address public immutable base;
    address public immutable quote;

    uint256 private reserveBase;
    uint256 private reserveQuote;
    uint32 private lastUpdate;

    Observation[MAX_CARDINALITY] public observations;
    uint16 public observationIndex;
    uint16 public observationCardinality;
    /// @dev The ring grows to this size when its index next wraps (Uniswap v3's cardinalityNext).
    uint16 public observationCardinalityNext;

    constructor(address base_, address quote_, string memory name_, string memory symbol_, uint16 cardinality)
        ERC20(name_, symbol_)
    {
        if (base_ == address(0) || quote_ == address(0) || base_ == quote_) revert PoolInvalidToken(base_);
        if (cardinality == 0) revert PoolInvalidCardinality(0, cardinality);
        base = base_;
        quote = quote_;
        observations[0] = Observation(uint32(block.timestamp), true, 0, 0);
        // Nothing has wrapped yet, so the initial size applies at once; later growth waits for a wrap.
        observationCardinalityNext = 1;
        if (cardinality > 1) _grow(cardinality);
        observationCardinality = cardinality;
        lastUpdate = uint32(block.timestamp);
    }

    modifier ensure(uint256 deadline) {
        if (block.timestamp > deadline) revert PoolDeadlineExpired(deadline, block.timestamp);
        _;
    }

    // ---------------------------------------------------------------- views

    /// @inheritdoc IConstantProductPool
    function getReserves() external view returns (uint256, uint256, uint32) {
        return (reserveBase, reserveQuote, lastUpdate);
    }

    /// @inheritdoc IConstantProductPool
    function spotPrice() public view returns (uint256) {
        if (reserveBase == 0) return 0;
        return Math.mulDiv(reserveQuote, WAD, reserveBase);
    }

    /// @inheritdoc IConstantProductPool
    function getAmountOut(address tokenIn, uint256 amountIn) public view returns (uint256) {
        (uint256 rIn, uint256 rOut) = _reservesFor(tokenIn);
        return _amountOut(amountIn, rIn, rOut);
    }

    // ---------------------------------------------------------------- liquidity

    /// @inheritdoc IConstantProductPool
    function addLiquidity(
        uint256 baseDesired,
        uint256 quoteDesired,
        uint256 minLiquidity,
        address to,
        uint256 deadline
    )
        external
        nonReentrant
        ensure(deadline)
        returns (uint256 liquidity, uint256 baseUsed, uint256 quoteUsed)
    {
        // Checks
        if (baseDesired == 0 || quoteDesired == 0) revert PoolZeroAmount();
        uint256 supply = totalSupply();
        uint256 rb = reserveBase;
        uint256 rq = reserveQuote;
        if (supply == 0) {
            (baseUsed, quoteUsed) = (baseDesired, quoteDesired);
            liquidity = Math.sqrt(baseUsed * quoteUsed);
            if (liquidity <= MINIMUM_LIQUIDITY) {
                revert PoolInsufficientLiquidityMinted(liquidity, MINIMUM_LIQUIDITY + 1);
            }
            liquidity -= MINIMUM_LIQUIDITY;
        } else {
            // Use the whole of one side at the current ratio; round the other side up (pool's favour).
            uint256 quoteOptimal = Math.mulDiv(baseDesired, rq, rb, Math.Rounding.Ceil);
            if (quoteOptimal <= quoteDesired) {
                (baseUsed, quoteUsed) = (baseDesired, quoteOptimal);
            } else {
                (baseUsed, quoteUsed) = (Math.mulDiv(quoteDesired, rb, rq, Math.Rounding.Ceil), quoteDesired);
                if (baseUsed > baseDesired) baseUsed = baseDesired;
            }
            liquidity = Math.min(Math.mulDiv(baseUsed, supply, rb), Math.mulDiv(quoteUsed, supply, rq));
        }
        if (liquidity == 0 || liquidity < minLiquidity) {
            revert PoolInsufficientLiquidityMinted(liquidity, minLiquidity);
        }

        // Effects
        _observe(rb, rq);
        if (supply == 0) _mint(DEAD, MINIMUM_LIQUIDITY);
        _mint(to, liquidity);
        _setReserves(rb + baseUsed, rq + quoteUsed);

        // Interactions
        IERC20(base).safeTransferFrom(msg.sender, address(this), baseUsed);
        IERC20(quote).safeTransferFrom(msg.sender, address(this), quoteUsed);
        emit LiquidityAdded(msg.sender, to, baseUsed, quoteUsed, liquidity);
    }

    /// @inheritdoc IConstantProductPool
    function removeLiquidity(
        uint256 liquidity,
        uint256 minBase,
        uint256 minQuote,
        address to,
        uint256 deadline
    ) external nonReentrant ensure(deadline) returns (uint256 baseOut, uint256 quoteOut) {
        // Checks
        if (liquidity == 0) revert PoolZeroAmount();
        uint256 supply = totalSupply();
        uint256 rb = reserveBase;
        uint256 rq = reserveQuote;
        baseOut = Math.mulDiv(liquidity, rb, supply);
        quoteOut = Math.mulDiv(liquidity, rq, supply);
        if (baseOut < minBase) revert PoolInsufficientOutput(baseOut, minBase);
        if (quoteOut < minQuote) revert PoolInsufficientOutput(quoteOut, minQuote);

        // Effects
        _observe(rb, rq);
        _burn(msg.sender, liquidity);
        _setReserves(rb - baseOut, rq - quoteOut);

        // Interactions
        IERC20(base).safeTransfer(to, baseOut);
        IERC20(quote).safeTransfer(to, quoteOut);
        emit LiquidityRemoved(msg.sender, to, baseOut, quoteOut, liquidity);
    }

    // ---------------------------------------------------------------- swap

    /// @inheritdoc IConstantProductPool
    function swap(address tokenIn, uint256 amountIn, uint256 minAmountOut, address to, uint256 deadline)
        external
        nonReentrant
        ensure(deadline)
        returns (uint256 amountOut)
    {
        // Checks
        if (amountIn == 0) revert PoolZeroAmount();
        (uint256 rIn, uint256 rOut) = _reservesFor(tokenIn);
        if (rIn == 0 || rOut == 0) revert PoolInsufficientLiquidity(reserveBase, reserveQuote);
        amountOut = _amountOut(amountIn, rIn, rOut);
        if (amountOut == 0 || amountOut < minAmountOut) {
            revert PoolInsufficientOutput(amountOut, minAmountOut);
        }

        // Effects
        uint256 rb = reserveBase;
        uint256 rq = reserveQuote;
        _observe(rb, rq);
        bool baseIn = tokenIn == base;
        if (baseIn) _setReserves(rb + amountIn, rq - amountOut);
        else _setReserves(rb - amountOut, rq + amountIn);

        // Interactions
        IERC20(tokenIn).safeTransferFrom(msg.sender, address(this), amountIn);
        IERC20(baseIn ? quote : base).safeTransfer(to, amountOut);
        emit Swap(msg.sender, to, tokenIn, amountIn, amountOut);
    }

    // ---------------------------------------------------------------- observations

    /// @inheritdoc IConstantProductPool
    function observe(uint32 secondsAgo)
        public
        view
        returns (uint256 priceCumulative, uint256 reserveBaseCumulative)
    {
        uint32 target = uint32(block.timestamp) - secondsAgo;
        Observation memory last = observations[observationIndex];
        if (target >= last.timestamp) {
            // Extend counterfactually from the newest observation with the reserves since then.
            // Reserves change only in blocks that also write an observation, so this is exact.
            uint256 dt = target - last.timestamp;
            return (last.priceCumulative + _price() * dt, last.reserveBaseCumulative + reserveBase * dt);
        }
        (Observation memory before, Observation memory afterObs) = _surrounding(target);
        if (target == before.timestamp) return (before.priceCumulative, before.reserveBaseCumulative);
        uint256 span = afterObs.timestamp - before.timestamp;
        uint256 part = target - before.timestamp;
        priceCumulative =
            before.priceCumulative + (afterObs.priceCumulative - before.priceCumulative) * part / span;
        reserveBaseCumulative = before.reserveBaseCumulative
            + (afterObs.reserveBaseCumulative - before.reserveBaseCumulative) * part / span;
    }

    /// @inheritdoc IConstantProductPool
    function consult(uint32 window) external view returns (uint256 twapPrice, uint256 twapReserveBase) {
        if (window == 0 || window > block.timestamp) revert PoolInvalidWindow(window);
        (uint256 pNow, uint256 rNow) = observe(0);
        (uint256 pThen, uint256 rThen) = observe(window);
        twapPrice = (pNow - pThen) / window;
        twapReserveBase = (rNow - rThen) / window;
    }

    /// @inheritdoc IConstantProductPool
    function increaseObservationCardinality(uint16 next) external {
        uint16 current = observationCardinalityNext;
        if (next <= current) revert PoolInvalidCardinality(current, next);
        _grow(next);
    }

    // ---------------------------------------------------------------- internals

    /// @dev Pre-writes the new slots (not initialized) so that later observations pay for a
    ///      non-zero to non-zero write instead of a fresh slot, as Uniswap v3 does.
    function _grow(uint16 next) private {
        uint16 current = observationCardinalityNext;
        for (uint256 i = current; i < next; ++i) {
            observations[i] = Observation(1, false, 1, 1);
        }
        observationCardinalityNext = next;
        emit ObservationCardinalityIncreased(current, next);
    }

    /// @dev Writes one observation per block, accumulating the reserves that held until now.
    function _observe(uint256 rb, uint256 rq) private {
        uint16 index = observationIndex;
        Observation memory last = observations[index];
        uint32 nowTs = uint32(block.timestamp);
        if (last.timestamp == nowTs) return;
        uint256 dt = nowTs - last.timestamp;
        uint256 price = rb == 0 ? 0 : Math.mulDiv(rq, WAD, rb);
        // Grow into a larger ring only when the index wraps, so old slots are never skipped.
        uint16 cardinality = observationCardinality;
        if (index == cardinality - 1 && observationCardinalityNext > cardinality) {
            cardinality = observationCardinalityNext;
            observationCardinality = cardinality;
        }
        uint16 next = uint16((uint256(index) + 1) % cardinality);
        observations[next] = Observation(
            nowTs, true, uint216(last.priceCumulative + price * dt), last.reserveBaseCumulative + rb * dt
        );
        observationIndex = next;
    }

    /// @dev Binary search (Uniswap v3 Oracle.sol) for the observations around `target`,
    ///      which lies strictly before the newest observation.
    function _surrounding(uint32 target)
        private
        view
        returns (Observation memory before, Observation memory afterObs)
    {
        uint256 cardinality = observationCardinality;
        uint256 index = observationIndex;
        // The oldest is the slot after the newest, if that slot was ever written.
        uint256 oldestIndex = (index + 1) % cardinality;
        Observation memory oldest = observations[oldestIndex];
        if (!oldest.initialized) {
            oldestIndex = 0;
            oldest = observations[0];
        }
        if (target < oldest.timestamp) revert PoolObservationTooOld(oldest.timestamp, target);

        uint256 l = oldestIndex;
        uint256 r = l + _written(oldestIndex, index, cardinality) - 1;
        while (true) {
            uint256 i = (l + r) / 2;
            before = observations[i % cardinality];
            afterObs = observations[(i + 1) % cardinality];
            if (before.timestamp <= target && target <= afterObs.timestamp) {
                if (target == afterObs.timestamp) before = afterObs;
                return (before, afterObs);
            }
            if (before.timestamp > target) r = i - 1;
            else l = i + 1;
        }
    }

    /// @dev Number of written slots from the oldest to the newest, inclusive.
    function _written(uint256 oldestIndex, uint256 newestIndex, uint256 cardinality)
        private
        pure
        returns (uint256)
    {
        return (newestIndex + cardinality - oldestIndex) % cardinality + 1;
    }

    function _price() private view returns (uint256) {
        return reserveBase == 0 ? 0 : Math.mulDiv(reserveQuote, WAD, reserveBase);
    }

    function _setReserves(uint256 rb, uint256 rq) private {
        reserveBase = rb;
        reserveQuote = rq;
        lastUpdate = uint32(block.timestamp);
        emit Sync(rb, rq);
    }

    function _reservesFor(address tokenIn) private view returns (uint256 rIn, uint256 rOut) {
        if (tokenIn == base) return (reserveBase, reserveQuote);
        if (tokenIn == quote) return (reserveQuote, reserveBase);
        revert PoolInvalidToken(tokenIn);
    }

    function _amountOut(uint256 amountIn, uint256 rIn, uint256 rOut) private pure returns (uint256) {
        uint256 inWithFee = amountIn * (10_000 - FEE_BPS);
        return Math.mulDiv(inWithFee, rOut, rIn * 10_000 + inWithFee);
    }
}
