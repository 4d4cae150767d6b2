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
///      Redemption: a request joins the cohort of its epoch; a cohort matures at the end of its
///      epoch plus the notice period and then joins the matured pool. `settle` pays a fraction f of
///      the whole pool at the current NAV, so every matured request is served pro rata. Per
///      generation of the pool, R is the product of (1 − f) so far and A the assets paid per unit
///      of R: a request of s shares that joined at (R0, A0) still has s·R/R0 pending and has earned
///      s·(A − A0)/R0. O(1) per request; a settle that fills the pool starts a new generation.
///
///      Pause stops subscriptions, new requests and settlement; it never stops transfers (borrowers
///      must be able to move collateral), cancellation or claims of cash already settled.
contract RwaVault is IRwaVault, ERC20, AccessControl, Pausable, ReentrancyGuard {
    using SafeERC20 for IERC20;
    using WadMath for uint256;

    bytes32 public constant NAV_REPORTER_ROLE = keccak256("NAV_REPORTER_ROLE");
    bytes32 public constant NAV_CONFIRMER_ROLE = keccak256("NAV_CONFIRMER_ROLE");
    bytes32 public constant GUARDIAN_ROLE = keccak256("GUARDIAN_ROLE");

    uint256 public constant MAX_NAV = 1e30;
    uint64 public constant MAX_NOTICE_PERIOD = 365 days;
    uint64 public constant MIN_EPOCH = 1 hours;
    uint64 public constant MAX_EPOCH = 90 days;
    uint256 public constant MIN_GATE = 0.001e18;
    uint256 public constant MIN_NAV_MOVE = 0.001e18;
    uint256 public constant MAX_NAV_MOVE = 0.5e18;
    /// @dev Scale of the pool's remaining factor R; high so that many partial settles keep precision.
    uint256 internal constant R_ONE = 1e36;

    struct Cohort {
        uint256 shares; // shares waiting to mature (before joining)
        uint64 generation; // set when the cohort joins the matured pool
        bool joined;
        uint256 r0;
        uint256 a0;
    }

    enum Cancel {
        None,
        BeforeJoin, // nothing was ever earned
        AfterJoin // earnings frozen at frozenA
    }

    struct Claimant {
        uint256 claimed; // assets already paid
        uint256 frozenA; // the pool's A when cancelled after joining
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

    bool public allowlistEnabled;
    mapping(address => bool) public allowlisted;

    RedeemRequest[] internal _requests;
    mapping(uint256 => Claimant) internal _claimants;
    mapping(uint64 => Cohort) public cohorts;
    uint64 public nextCohortToJoin;

    // Matured pool
    uint64 public generation;
    uint256 public poolShares; // matured shares not yet settled
    uint256 public poolR = R_ONE;
    uint256 public poolA;
    mapping(uint64 => uint256) public finalA; // A of each finished generation

    uint256 public unjoinedShares;
    uint256 public totalOwed; // assets settled and not yet claimed

    // Gate bookkeeping for the current epoch
    uint64 public gateEpoch;
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
        uint256 move = nav > _nav ? nav - _nav : _nav - nav;
        if (move.divWadUp(_nav) > maxNavMoveWad) {
            // A large move waits for a second pair of eyes; a later normal report supersedes it.
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
        cohorts[epoch].shares += shares;
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
            (c.frozenA, c.cancel) = (poolA, Cancel.AfterJoin);
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
        _joinMatured();
        uint64 epoch = currentEpoch();
        if (epoch != gateEpoch || gateBase == 0) (gateEpoch, gateBase, gateUsed) = (epoch, totalSupply(), 0);
        uint256 gateLeft = gateBase.mulWadDown(gateWad).zeroFloorSub(gateUsed);
        shares = poolShares.min(gateLeft).min(availableBuffer().divWadDown(_nav));
        if (shares == 0) return (0, 0);
        assets = shares.mulWadDown(_nav);
        // Effects
        gateUsed += shares;
        totalOwed += assets;
        uint256 pool = poolShares;
        poolA += poolR.mulDivDown(assets, pool);
        if (shares == pool) {
            finalA[generation] = poolA;
            (generation, poolR, poolA) = (generation + 1, R_ONE, 0);
        } else {
            poolR = poolR.mulDivDown(pool - shares, pool);
        }
        poolShares = pool - shares;
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

    /// @dev Cohorts whose maturity has passed join the pool at the pool's current (R, A).
    ///      Loops over epochs, not requests: bounded by the time elapsed.
    function _joinMatured() internal {
        uint64 epoch = nextCohortToJoin;
        uint64 current = currentEpoch();
        while (epoch < current && maturity(epoch) <= block.timestamp) {
            Cohort storage co = cohorts[epoch];
            if (co.shares > 0) {
                (co.joined, co.generation, co.r0, co.a0) = (true, generation, poolR, poolA);
                poolShares += co.shares;
                unjoinedShares -= co.shares;
            } else {
                co.joined = true;
            }
            ++epoch;
        }
        nextCohortToJoin = epoch;
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
        bool live = co.generation == generation;
        uint256 a = c.cancel == Cancel.AfterJoin ? c.frozenA : (live ? poolA : finalA[co.generation]);
        claimable = req.shares.mulDivDown(a - co.a0, co.r0).zeroFloorSub(c.claimed);
        if (c.cancel == Cancel.None && live) pending = req.shares.mulDivDown(poolR, co.r0);
    }

    function _request(uint256 requestId) internal view returns (RedeemRequest memory) {
        if (requestId >= _requests.length) revert VaultUnknownRequest(requestId);
        return _requests[requestId];
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
