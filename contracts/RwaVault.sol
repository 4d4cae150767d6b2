// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {Pausable} from "@openzeppelin/contracts/utils/Pausable.sol";
import {ReentrancyGuard} from "@openzeppelin/contracts/utils/ReentrancyGuard.sol";

import {IRwaVault, NavStatus, RedeemRequest} from "./interfaces/IRwaVault.sol";
import {WAD, WadMath} from "./libraries/WadMath.sol";

/// @title RwaVault
/// @notice The tokenized SPV share: instant subscription at NAV, slow redemption.
/// @dev Constructor: (name, symbol, asset, admin, custodian, initialNav, noticePeriod, epochLength,
///      gateWad, maxNavMoveWad). Roles: DEFAULT_ADMIN_ROLE (parameters, custodian, allowlist),
///      NAV_REPORTER_ROLE, NAV_CONFIRMER_ROLE (confirms moves above maxNavMoveWad), GUARDIAN_ROLE
///      (pause, status).
///
///      NAV: a report moving more than maxNavMoveWad from the current NAV, or from the reference
///      (the last NAV a confirmer signed, or the initial one), waits for the confirmer. Chained small
///      steps cannot walk the NAV away alone, and slow drift accumulates against the reference until
///      a confirmer signs a report.
///
///      Redemption: a request joins the cohort of its epoch; a cohort matures at the end of its
///      epoch plus the notice period and then joins the matured pool. Cohorts with requests are
///      queued in epoch order, so joining costs per cohort, not per elapsed epoch (at most
///      MAX_JOINS_PER_SETTLE per call; a call that leaves matured cohorts unjoined pays nothing).
///      `settle` pays a fraction f of the whole pool at the current NAV, so every matured request is
///      served pro rata, O(1) per request (Liquity's stability pool P / scale / epoch):
///      - R is the product of (1 − f) over the settles so far, kept in [R_ONE / SCALE, R_ONE]: when a
///        settle would take it lower, it is multiplied by SCALE and `scale` goes up by one. A settle
///        that leaves less than 1 / SCALE of R (e.g. 1 wei of a large pool) moves `scale` up by two
///        and restarts R at R_ONE: every request then in the pool keeps less than 1e-18 of its
///        shares, which rounds to zero in the vault's favour (as dust no request owns).
///      - A[g][s] sums, over the settles of generation g at scale s, the assets paid per unit of R:
///        at most R_ONE·MAX_NAV/WAD = 1e44 (R only falls within a scale), so A·SCALE cannot overflow.
///      - A request of `shares` that joined at (g, s0, r0, a0) has earned
///        shares·((A[g][s0] − a0)·SCALE + A[g][s0 + 1]) / (r0·SCALE); while g is live it still waits
///        for shares·R/r0 (same scale), shares·R/(r0·SCALE) (one scale later) or 0 (two or more).
///      - A settle that takes the whole pool (R would be 0) ends generation g; the next starts at
///        (scale 0, R_ONE). r0 >= R_ONE / SCALE always, so no status, claim or cancel can divide by
///        zero, and every rounding is down, so the requests are never owed more than was settled.
///
///      Pause stops subscriptions, new requests and settlement; it never stops transfers (borrowers
///      must be able to move collateral), cancellation or claims of cash already settled.
contract RwaVault is IRwaVault, ERC20, AccessControl, Pausable, ReentrancyGuard {
    using SafeERC20 for IERC20;
    using WadMath for uint256;

    bytes32 public constant NAV_REPORTER_ROLE = keccak256("NAV_REPORTER_ROLE");
    bytes32 public constant NAV_CONFIRMER_ROLE = keccak256("NAV_CONFIRMER_ROLE");
    bytes32 public constant GUARDIAN_ROLE = keccak256("GUARDIAN_ROLE");

    /// @dev 1e8 loan tokens per share: every price the oracle (uint88) and breaker (uint64 of 1e-6)
    ///      store from the NAV fits.
    uint256 public constant MAX_NAV = 1e26;
    uint64 public constant MAX_NOTICE_PERIOD = 365 days;
    uint64 public constant MIN_EPOCH = 1 hours;
    uint64 public constant MAX_EPOCH = 90 days;
    uint256 public constant MIN_GATE = 0.001e18;
    uint256 public constant MIN_NAV_MOVE = 0.001e18;
    uint256 public constant MAX_NAV_MOVE = 0.5e18;
    /// @notice Queued cohorts one `settle` walks at most, so that a backlog never exceeds a block;
    ///         a settle that leaves matured cohorts unjoined pays nothing (the next one goes on).
    uint256 public constant MAX_JOINS_PER_SETTLE = 64;
    /// @dev The pool factor R lives in [R_ONE / SCALE, R_ONE]; each step of `scale` is a factor SCALE.
    uint256 internal constant R_ONE = 1e36;
    uint256 internal constant SCALE = 1e18;
    uint256 internal constant R_MIN = R_ONE / SCALE;

    struct Cohort {
        uint256 shares; // shares waiting to mature (before joining)
        uint128 r0; // the pool's R, generation and scale when the cohort joined
        uint64 generation;
        uint56 scale;
        bool joined;
        uint256 a0; // A[generation][scale] when the cohort joined
    }

    enum Cancel {
        None,
        BeforeJoin, // nothing was ever earned
        AfterJoin // earnings frozen at `frozen`
    }

    struct Claimant {
        uint256 claimed; // assets already paid
        uint256 frozen; // assets earned in all, fixed when cancelled after joining
        Cancel cancel;
    }

    address public immutable asset;
    uint64 public immutable start;
    uint64 public immutable epochLength;

    address public custodian;
    uint64 public noticePeriod;
    uint256 public gateWad;
    uint256 public maxNavMoveWad;

    uint256 internal _nav;
    uint64 internal _navAsOf;
    NavStatus internal _status;
    uint256 public pendingNav;
    uint64 public pendingNavAsOf;
    /// @inheritdoc IRwaVault
    uint256 public referenceNav;

    bool public allowlistEnabled;
    mapping(address => bool) public allowlisted;

    RedeemRequest[] internal _requests;
    mapping(uint256 => Claimant) internal _claimants;
    mapping(uint64 => Cohort) public cohorts;
    /// @notice Epochs with requests, in increasing order (packed four to a slot); those from
    ///         `queueHead` on have not joined the pool yet.
    uint64[] public cohortQueue;

    // Matured pool; R, generation and scale share one slot (R <= R_ONE < 2^128).
    uint128 public poolR = uint128(R_ONE);
    uint64 public generation;
    uint64 public scale;
    uint256 public poolShares; // matured shares not yet settled
    /// @notice A[generation][scale]: assets paid per unit of R (see the contract's notes).
    mapping(uint64 => mapping(uint64 => uint256)) public assetsPerR;

    uint256 public unjoinedShares;
    uint256 public totalOwed; // assets settled and not yet claimed

    // Gate bookkeeping for the current epoch; the queue's head shares its slot (both move in settle).
    uint64 public gateEpoch;
    uint64 public queueHead;
    uint256 public gateBase;
    uint256 public gateUsed;

    constructor(
        string memory name_,
        string memory symbol_,
        address asset_,
        address admin,
        address custodian_,
        uint256 initialNav,
        uint64 noticePeriod_,
        uint64 epochLength_,
        uint256 gateWad_,
        uint256 maxNavMoveWad_
    ) ERC20(name_, symbol_) {
        if (asset_ == address(0) || admin == address(0) || custodian_ == address(0)) {
            revert VaultZeroAddress();
        }
        if (initialNav == 0 || initialNav > MAX_NAV) revert VaultNavOutOfBounds(initialNav);
        _bound("epochLength", epochLength_, MIN_EPOCH, MAX_EPOCH);
        asset = asset_;
        start = uint64(block.timestamp);
        epochLength = epochLength_;
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _setCustodian(custodian_);
        _setNoticePeriod(noticePeriod_);
        _setGate(gateWad_);
        _setMaxNavMove(maxNavMoveWad_);
        referenceNav = initialNav;
        _applyNav(initialNav, uint64(block.timestamp));
    }

    // ---------------------------------------------------------------- NAV

    /// @inheritdoc IRwaVault
    function navInfo() external view returns (uint256, uint64, NavStatus) {
        return (_nav, _navAsOf, _status);
    }

    /// @inheritdoc IRwaVault
    function reportNav(uint256 nav, uint64 asOf) external onlyRole(NAV_REPORTER_ROLE) {
        if (nav == 0 || nav > MAX_NAV) revert VaultNavOutOfBounds(nav);
        if (asOf <= _navAsOf || asOf > block.timestamp) {
            revert VaultNavTimestampInvalid(asOf, _navAsOf, block.timestamp);
        }
        uint256 maxMove = maxNavMoveWad;
        if (_move(nav, _nav) > maxMove || _move(nav, referenceNav) > maxMove) {
            // A large move, in one report or since the last confirmation, waits for a second pair of
            // eyes; a later normal report supersedes it.
            (pendingNav, pendingNavAsOf) = (nav, asOf);
            emit NavProposed(nav, asOf, msg.sender);
            return;
        }
        delete pendingNav;
        delete pendingNavAsOf;
        _applyNav(nav, asOf);
    }

    /// @inheritdoc IRwaVault
    function confirmNav() external onlyRole(NAV_CONFIRMER_ROLE) {
        uint256 nav = pendingNav;
        if (nav == 0) revert VaultNoPendingNav();
        uint64 asOf = pendingNavAsOf;
        delete pendingNav;
        delete pendingNavAsOf;
        referenceNav = nav;
        emit NavConfirmed(nav, asOf, msg.sender);
        _applyNav(nav, asOf);
    }

    /// @inheritdoc IRwaVault
    function setNavStatus(NavStatus status, string calldata reason) external {
        if (!hasRole(GUARDIAN_ROLE, msg.sender) && !hasRole(NAV_REPORTER_ROLE, msg.sender)) {
            revert AccessControlUnauthorizedAccount(msg.sender, GUARDIAN_ROLE);
        }
        _status = status;
        emit NavStatusChanged(status, reason);
    }

    // ---------------------------------------------------------------- subscribe

    /// @inheritdoc IRwaVault
    function subscribe(uint256 assets, address receiver)
        external
        nonReentrant
        whenNotPaused
        returns (uint256 shares)
    {
        // Checks: no new money on a NAV in doubt.
        if (_status == NavStatus.UnderReview) revert VaultUnderReview();
        shares = previewSubscribe(assets);
        if (shares == 0) revert VaultZeroAmount();
        // Effects
        _mint(receiver, shares);
        // Interactions: the cash goes to the custodian, off-chain.
        IERC20(asset).safeTransferFrom(msg.sender, custodian, assets);
        emit Subscribed(msg.sender, receiver, assets, shares);
    }

    /// @inheritdoc IRwaVault
    function previewSubscribe(uint256 assets) public view returns (uint256) {
        return assets.divWadDown(_nav);
    }

    // ---------------------------------------------------------------- redeem

    /// @inheritdoc IRwaVault
    function requestRedeem(uint256 shares, address controller, address owner)
        external
        nonReentrant
        whenNotPaused
        returns (uint256 requestId)
    {
        // Checks
        if (shares == 0) revert VaultZeroAmount();
        if (controller == address(0)) revert VaultZeroAddress();
        if (msg.sender != owner) _spendAllowance(owner, msg.sender, shares);
        // Effects
        uint64 epoch = currentEpoch();
        requestId = _requests.length;
        _requests.push(RedeemRequest(controller, uint64(block.timestamp), epoch, shares));
        Cohort storage co = cohorts[epoch];
        // Epochs only grow, so the queue stays sorted; an epoch emptied by cancels may be queued
        // twice, which joining skips.
        if (co.shares == 0) cohortQueue.push(epoch);
        co.shares += shares;
        unjoinedShares += shares;
        _transfer(owner, address(this), shares);
        emit RedeemRequested(requestId, controller, owner, shares, epoch);
    }

    /// @inheritdoc IRwaVault
    function cancelRedeem(uint256 requestId) external nonReentrant returns (uint256 shares) {
        // Checks
        RedeemRequest memory req = _request(requestId);
        if (msg.sender != req.controller) revert VaultNotController(requestId, msg.sender, req.controller);
        Claimant storage c = _claimants[requestId];
        (shares,) = _statusOf(req, c);
        if (shares == 0) revert VaultNothingToCancel(requestId);
        // Effects: freeze what was earned so far; the pending part leaves the queue.
        Cohort storage co = cohorts[req.epoch];
        if (co.joined) {
            // A request with pending shares is in the live generation.
            (, c.frozen) = _position(req.shares, co);
            c.cancel = Cancel.AfterJoin;
            poolShares -= shares;
        } else {
            c.cancel = Cancel.BeforeJoin;
            co.shares -= shares;
            unjoinedShares -= shares;
        }
        _transfer(address(this), req.controller, shares);
        emit RedeemCancelled(requestId, req.controller, shares);
    }

    /// @inheritdoc IRwaVault
    function settle() external nonReentrant whenNotPaused returns (uint256 shares, uint256 assets) {
        // Checks: paying out at a NAV under review would let early redeemers take the loss out.
        if (_status == NavStatus.UnderReview) revert VaultUnderReview();
        // Pro rata needs every matured request in the pool: catch up on a long backlog first.
        if (!_joinMatured()) return (0, 0);
        uint64 epoch = currentEpoch();
        if (epoch != gateEpoch || gateBase == 0) (gateEpoch, gateBase, gateUsed) = (epoch, totalSupply(), 0);
        uint256 gateLeft = gateBase.mulWadDown(gateWad).zeroFloorSub(gateUsed);
        shares = poolShares.min(gateLeft).min(availableBuffer().divWadDown(_nav));
        if (shares == 0) return (0, 0);
        assets = shares.mulWadDown(_nav);
        // Effects
        gateUsed += shares;
        totalOwed += assets;
        _payPool(shares, assets);
        _burn(address(this), shares);
        emit RedemptionsSettled(epoch, shares, assets, _nav);
    }

    /// @inheritdoc IRwaVault
    function claim(uint256 requestId, address receiver) external nonReentrant returns (uint256 assets) {
        // Checks
        RedeemRequest memory req = _request(requestId);
        if (msg.sender != req.controller) revert VaultNotController(requestId, msg.sender, req.controller);
        Claimant storage c = _claimants[requestId];
        (, assets) = _statusOf(req, c);
        if (assets == 0) return 0;
        // Effects
        c.claimed += assets;
        totalOwed -= assets;
        // Interactions
        IERC20(asset).safeTransfer(receiver, assets);
        emit RedeemClaimed(requestId, receiver, assets);
    }

    /// @inheritdoc IRwaVault
    function refillBuffer(uint256 assets) external nonReentrant {
        if (assets == 0) revert VaultZeroAmount();
        IERC20(asset).safeTransferFrom(msg.sender, address(this), assets);
        emit BufferRefilled(msg.sender, assets);
    }

    // ---------------------------------------------------------------- admin

    function pause() external onlyRole(GUARDIAN_ROLE) {
        _pause();
    }

    function unpause() external onlyRole(GUARDIAN_ROLE) {
        _unpause();
    }

    function setNoticePeriod(uint64 value) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _setNoticePeriod(value);
    }

    function setGate(uint256 value) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _setGate(value);
    }

    function setMaxNavMove(uint256 value) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _setMaxNavMove(value);
    }

    function setCustodian(address value) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _setCustodian(value);
    }

    function setAllowlistEnabled(bool enabled) external onlyRole(DEFAULT_ADMIN_ROLE) {
        allowlistEnabled = enabled;
        emit AllowlistEnabled(enabled);
    }

    function setAllowlisted(address account, bool allowed) external onlyRole(DEFAULT_ADMIN_ROLE) {
        allowlisted[account] = allowed;
        emit AllowlistSet(account, allowed);
    }

    // ---------------------------------------------------------------- views

    /// @notice The epoch of `block.timestamp`.
    function currentEpoch() public view returns (uint64) {
        return uint64((block.timestamp - start) / epochLength);
    }

    /// @notice When requests made in `epoch` mature: the epoch's end plus the notice period.
    function maturity(uint64 epoch) public view returns (uint256) {
        return uint256(start) + uint256(epoch + 1) * epochLength + noticePeriod;
    }

    /// @inheritdoc IRwaVault
    function redeemRequest(uint256 requestId) external view returns (RedeemRequest memory) {
        return _request(requestId);
    }

    /// @inheritdoc IRwaVault
    function redeemStatus(uint256 requestId) external view returns (uint256, uint256) {
        return _statusOf(_request(requestId), _claimants[requestId]);
    }

    /// @notice Number of requests ever made.
    function requestCount() external view returns (uint256) {
        return _requests.length;
    }

    /// @inheritdoc IRwaVault
    function totalPendingShares() external view returns (uint256) {
        return poolShares + unjoinedShares;
    }

    /// @inheritdoc IRwaVault
    function availableBuffer() public view returns (uint256) {
        return IERC20(asset).balanceOf(address(this)).zeroFloorSub(totalOwed);
    }

    // ---------------------------------------------------------------- internals

    /// @dev Queued cohorts whose maturity has passed join the pool at its current (generation,
    ///      scale, R, A). Maturity grows with the epoch, so the walk stops at the first immature one;
    ///      it costs per queued cohort (at most MAX_JOINS_PER_SETTLE), however long no one settled.
    ///      Returns whether every matured cohort has joined.
    function _joinMatured() internal returns (bool caughtUp) {
        (uint256 first, uint256 tail) = (queueHead, cohortQueue.length);
        if (first == tail) return true;
        uint256 end = tail.min(first + MAX_JOINS_PER_SETTLE);
        (uint128 r, uint64 g, uint64 s) = (poolR, generation, scale);
        uint256 a = assetsPerR[g][s];
        uint256 head = first;
        uint256 joining;
        for (; head < end && maturity(cohortQueue[head]) <= block.timestamp; ++head) {
            Cohort storage co = cohorts[cohortQueue[head]];
            if (co.joined || co.shares == 0) continue; // queued twice, or emptied by cancels
            (co.r0, co.generation, co.scale, co.joined, co.a0) = (r, g, uint56(s), true, a);
            joining += co.shares;
        }
        if (head != first) queueHead = uint64(head); // <= the queue's length, at most one per request
        if (joining > 0) (poolShares, unjoinedShares) = (poolShares + joining, unjoinedShares - joining);
        return head == tail || maturity(cohortQueue[head]) > block.timestamp;
    }

    /// @dev Pays `assets` for `shares` of the pool, pro rata: A grows by R·assets/pool and R shrinks
    ///      by (pool − shares)/pool, rescaled to stay in [R_MIN, R_ONE] (see the contract's notes).
    function _payPool(uint256 shares, uint256 assets) internal {
        uint256 pool = poolShares;
        (uint256 r, uint64 g, uint64 s) = (poolR, generation, scale);
        assetsPerR[g][s] += r.mulDivDown(assets, pool);
        poolShares = pool - shares;
        if (shares == pool) {
            (poolR, generation, scale) = (uint128(R_ONE), g + 1, 0);
            return;
        }
        uint256 left = pool - shares;
        uint256 next = r.mulDivDown(left, pool);
        if (next < R_MIN) {
            // r <= R_ONE and r·left/pool < R_MIN, so this is below R_ONE.
            (next, s) = ((r * SCALE).mulDivDown(left, pool), s + 1);
            // Still below: every request in the pool keeps < 1e-18 of its shares, which rounds to 0.
            if (next < R_MIN) (next, s) = (R_ONE, s + 1);
        }
        (poolR, scale) = (uint128(next), s); // next <= R_ONE < 2^128
    }

    /// @dev (pending shares, claimable assets) of a request.
    function _statusOf(RedeemRequest memory req, Claimant storage c)
        internal
        view
        returns (uint256 pending, uint256 claimable)
    {
        if (c.cancel == Cancel.BeforeJoin) return (0, 0);
        Cohort storage co = cohorts[req.epoch];
        if (!co.joined) return (req.shares, 0);
        if (c.cancel == Cancel.AfterJoin) return (0, c.frozen - c.claimed);
        uint256 earned;
        (pending, earned) = _position(req.shares, co);
        claimable = earned.zeroFloorSub(c.claimed);
    }

    /// @dev What `shares` of a joined cohort still wait for, and have earned in all (see the contract's notes).
    function _position(uint256 shares, Cohort storage co)
        internal
        view
        returns (uint256 pending, uint256 earned)
    {
        (uint64 g, uint64 s0, uint256 r0) = (co.generation, co.scale, co.r0);
        uint256 a = assetsPerR[g][s0] - co.a0;
        earned = shares.mulDivDown(a * SCALE + assetsPerR[g][s0 + 1], r0 * SCALE);
        if (g != generation) return (0, earned);
        uint64 s = scale;
        if (s == s0) pending = shares.mulDivDown(poolR, r0);
        else if (s == s0 + 1) pending = shares.mulDivDown(poolR, r0 * SCALE);
    }

    function _request(uint256 requestId) internal view returns (RedeemRequest memory) {
        if (requestId >= _requests.length) revert VaultUnknownRequest(requestId);
        return _requests[requestId];
    }

    /// @dev |to − from| / from, rounded up.
    function _move(uint256 to, uint256 from) internal pure returns (uint256) {
        return (to > from ? to - from : from - to).divWadUp(from);
    }

    function _applyNav(uint256 nav, uint64 asOf) internal {
        (_nav, _navAsOf) = (nav, asOf);
        emit NavReported(nav, asOf, msg.sender);
    }

    function _setNoticePeriod(uint64 value) internal {
        _bound("noticePeriod", value, 0, MAX_NOTICE_PERIOD);
        noticePeriod = value;
        emit ParameterSet("noticePeriod", value);
    }

    function _setGate(uint256 value) internal {
        _bound("gate", value, MIN_GATE, WAD);
        gateWad = value;
        emit ParameterSet("gate", value);
    }

    function _setMaxNavMove(uint256 value) internal {
        _bound("maxNavMove", value, MIN_NAV_MOVE, MAX_NAV_MOVE);
        maxNavMoveWad = value;
        emit ParameterSet("maxNavMove", value);
    }

    function _setCustodian(address value) internal {
        if (value == address(0)) revert VaultZeroAddress();
        custodian = value;
        emit CustodianSet(value);
    }

    function _bound(bytes32 name, uint256 value, uint256 min, uint256 max) internal pure {
        if (value < min || value > max) revert VaultParameterOutOfBounds(name, value, min, max);
    }

    /// @dev The allowlist, when on, applies to mints and transfers; the vault itself is always allowed.
    function _update(address from, address to, uint256 value) internal override {
        if (allowlistEnabled) {
            if (from != address(0) && from != address(this) && !allowlisted[from]) {
                revert VaultNotAllowlisted(from);
            }
            if (to != address(0) && to != address(this) && !allowlisted[to]) revert VaultNotAllowlisted(to);
        }
        super._update(from, to, value);
    }
}
