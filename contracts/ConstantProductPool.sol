// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ReentrancyGuard} from "@openzeppelin/contracts/utils/ReentrancyGuard.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";

import {IConstantProductPool} from "./interfaces/IConstantProductPool.sol";
import {WAD} from "./libraries/WadMath.sol";

/// @title ConstantProductPool
/// @notice x·y = k pool of the vault share (base) against the stablecoin (quote), with a 0.30% fee
///         kept by LPs, the pool itself as the LP token, and time-bucketed observations of
///         cumulative price and cumulative base reserve, so that TWAPs are depth-aware and every
///         window up to `observationSpan()` stays answerable whatever the trade rate.
/// @dev Constructor: (base, quote, name, symbol, observationPeriod, cardinality).
///      A live accumulator is brought up to date at every reserve change with the reserves that
///      held until then (exact, and a trade cannot move the TWAP within its own block); a ring
///      slot takes a copy of it at most once per `observationPeriod` seconds. See IConstantProductPool.
contract ConstantProductPool is IConstantProductPool, ERC20, ReentrancyGuard {
    using SafeERC20 for IERC20;

    /// @dev Burned on the first deposit so the LP share price cannot be inflated from dust.
    uint256 public constant MINIMUM_LIQUIDITY = 1000;
    uint256 public constant FEE_BPS = 30;
    uint16 public constant MAX_CARDINALITY = 65_535;
    uint32 public constant MIN_OBSERVATION_PERIOD = 1 seconds;
    uint32 public constant MAX_OBSERVATION_PERIOD = 1 days;
    address private constant DEAD = address(0xdead);

    /// @dev Two slots. Reserves fit 112 bits and timestamps 32, so a price is below 2^172 (1e18 <
    ///      2^60), Σ price·s below 2^204 and Σ reserve·s below 2^144: no field ever overflows.
    struct Observation {
        uint32 timestamp;
        bool initialized;
        uint216 priceCumulative; // Σ price(1e18) · seconds
        uint256 reserveBaseCumulative; // Σ reserveBase · seconds
    }

    address public immutable base;
    address public immutable quote;
    /// @inheritdoc IConstantProductPool
    uint32 public immutable observationPeriod;
    /// @dev Slot 0 keeps this timestamp until the ring first wraps.
    uint32 private immutable _createdAt;

    uint112 private reserveBase;
    uint112 private reserveQuote;
    /// @dev When the live accumulator below was last brought up to date (the last reserve change).
    uint32 private lastUpdate;
    uint256 private _priceCumulative;
    uint256 private _reserveBaseCumulative;

    Observation[MAX_CARDINALITY] public observations;
    uint16 public observationIndex;
    uint16 public observationCardinality;
    /// @dev The ring grows to this size when its index next wraps (Uniswap v3's cardinalityNext).
    uint16 public observationCardinalityNext;
    /// @dev The slots observationSpan() counts: all of them, except after a growth that had to wait
    ///      for the index to wrap, where the new ones count only once written.
    uint16 private _spanCardinality;
    /// @dev Timestamp of the newest ring slot.
    uint32 private _observedAt;

    constructor(
        address base_,
        address quote_,
        string memory name_,
        string memory symbol_,
        uint32 observationPeriod_,
        uint16 cardinality
    ) ERC20(name_, symbol_) {
        if (base_ == address(0) || quote_ == address(0) || base_ == quote_) {
            revert PoolInvalidToken(base_);
        }
        if (observationPeriod_ < MIN_OBSERVATION_PERIOD || observationPeriod_ > MAX_OBSERVATION_PERIOD) {
            revert PoolInvalidObservationPeriod(
                observationPeriod_, MIN_OBSERVATION_PERIOD, MAX_OBSERVATION_PERIOD
            );
        }
        if (cardinality == 0) revert PoolInvalidCardinality(0, cardinality);
        base = base_;
        quote = quote_;
        observationPeriod = observationPeriod_;
        uint32 nowTs = uint32(block.timestamp);
        _createdAt = nowTs;
        observations[0] = Observation(nowTs, true, 0, 0);
        (lastUpdate, _observedAt) = (nowTs, nowTs);
        // Nothing has wrapped yet, so the initial size applies at once.
        observationCardinalityNext = 1;
        if (cardinality > 1) _grow(1, cardinality);
        (observationCardinality, _spanCardinality) = (cardinality, cardinality);
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
        return _priceOf(reserveBase, reserveQuote);
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
        if (supply == 0) _mint(DEAD, MINIMUM_LIQUIDITY);
        _mint(to, liquidity);
        _update(rb, rq, rb + baseUsed, rq + quoteUsed);

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
        _burn(msg.sender, liquidity);
        _update(rb, rq, rb - baseOut, rq - quoteOut);

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
        bool baseIn = tokenIn == base;
        if (baseIn) _update(rb, rq, rb + amountIn, rq - amountOut);
        else _update(rb, rq, rb - amountOut, rq + amountIn);

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
        if (secondsAgo > block.timestamp) revert PoolInvalidWindow(secondsAgo);
        uint32 target = uint32(block.timestamp) - secondsAgo;
        uint32 last = lastUpdate;
        if (target >= last) {
            // Exact: the reserves have not changed since the accumulator was last brought up to date.
            uint256 dt = target - last;
            return (_priceCumulative + spotPrice() * dt, _reserveBaseCumulative + reserveBase * dt);
        }
        Observation memory before;
        Observation memory afterObs;
        if (target >= _observedAt) {
            // Between the newest ring slot and the live accumulator.
            before = observations[observationIndex];
            afterObs = Observation(last, true, SafeCast.toUint216(_priceCumulative), _reserveBaseCumulative);
        } else {
            (before, afterObs) = _surrounding(target);
        }
        // Linear between two points: reserves changed only within one period after `before`.
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
    function observationSpan() external view returns (uint256) {
        return uint256(_spanCardinality - 1) * observationPeriod;
    }

    /// @inheritdoc IConstantProductPool
    function increaseObservationCardinality(uint16 next) external {
        uint16 current = observationCardinalityNext;
        if (next <= current) revert PoolInvalidCardinality(current, next);
        _grow(current, next);
        // Until the ring first wraps its oldest point is the creation one, whatever its size: the
        // new size applies at once. After a wrap it waits for the index to wrap again, and the
        // span counts the new slots only as they are written.
        if (observations[0].timestamp == _createdAt) {
            (observationCardinality, _spanCardinality) = (next, next);
        }
    }

    // ---------------------------------------------------------------- internals

    /// @dev Pre-writes the new slots (not initialized) so that later observations pay for a
    ///      non-zero to non-zero write instead of a fresh slot, as Uniswap v3 does.
    function _grow(uint16 current, uint16 next) private {
        for (uint256 i = current; i < next; ++i) {
            observations[i] = Observation(1, false, 1, 1);
        }
        observationCardinalityNext = next;
        emit ObservationCardinalityIncreased(current, next);
    }

    /// @dev Sets the reserves after bringing the accumulator up to date with the ones that held
    ///      until now, and copies it into the ring if the newest slot is a period old.
    function _update(uint256 rb, uint256 rq, uint256 rbNew, uint256 rqNew) private {
        if (rbNew > type(uint112).max || rqNew > type(uint112).max) revert PoolReserveOverflow(rbNew, rqNew);
        uint32 nowTs = uint32(block.timestamp);
        uint256 dt = nowTs - lastUpdate;
        if (dt > 0) {
            uint256 pc = _priceCumulative + _priceOf(rb, rq) * dt;
            uint256 rc = _reserveBaseCumulative + rb * dt;
            (_priceCumulative, _reserveBaseCumulative) = (pc, rc);
            if (nowTs - _observedAt >= observationPeriod) _write(nowTs, pc, rc);
        }
        (reserveBase, reserveQuote, lastUpdate) = (uint112(rbNew), uint112(rqNew), nowTs);
        emit Sync(rbNew, rqNew);
    }

    /// @dev Writes the next ring slot, growing into a larger ring only when the index wraps, so
    ///      that old slots are never skipped.
    function _write(uint32 nowTs, uint256 pc, uint256 rc) private {
        uint16 index = observationIndex;
        uint16 cardinality = observationCardinality;
        if (index == cardinality - 1 && observationCardinalityNext > cardinality) {
            cardinality = observationCardinalityNext;
            observationCardinality = cardinality;
        }
        uint16 next = uint16((uint256(index) + 1) % cardinality);
        observations[next] = Observation(nowTs, true, SafeCast.toUint216(pc), rc);
        observationIndex = next;
        _observedAt = nowTs;
        if (next >= _spanCardinality) _spanCardinality = next + 1;
    }

    /// @dev Binary search over the ring's timestamps for the slots around `target`, which lies
    ///      strictly before the newest slot. Only the final two slots are read whole.
    function _surrounding(uint32 target)
        private
        view
        returns (Observation memory before, Observation memory afterObs)
    {
        uint256 cardinality = observationCardinality;
        uint256 index = observationIndex;
        // The oldest is the slot after the newest, if that slot was ever written.
        uint256 oldestIndex = (index + 1) % cardinality;
        if (!observations[oldestIndex].initialized) oldestIndex = 0;
        uint32 oldestTs = observations[oldestIndex].timestamp;
        if (target < oldestTs) revert PoolObservationTooOld(oldestTs, target);

        // Positions from the oldest: timestamp(lo) <= target < timestamp(hi).
        uint256 lo;
        uint256 hi = (index + cardinality - oldestIndex) % cardinality;
        while (hi - lo > 1) {
            uint256 mid = (lo + hi) / 2;
            if (observations[(oldestIndex + mid) % cardinality].timestamp <= target) lo = mid;
            else hi = mid;
        }
        before = observations[(oldestIndex + lo) % cardinality];
        afterObs = observations[(oldestIndex + hi) % cardinality];
    }

    function _priceOf(uint256 rb, uint256 rq) private pure returns (uint256) {
        return rb == 0 ? 0 : Math.mulDiv(rq, WAD, rb);
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
