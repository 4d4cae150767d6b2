// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";

/// @notice Whether the vault's reported NAV can be relied on.
enum NavStatus {
    Normal,
    UnderReview // e.g. custodian breach or title challenge: NAV is not credible until cleared
}

/// @notice One asynchronous redemption request (ERC-7540 in spirit).
struct RedeemRequest {
    address controller; // who may claim or cancel
    uint64 requestedAt; // timestamp of the request
    uint64 epoch; // the epoch cohort the request belongs to
    uint256 shares; // shares originally locked
}

/// @title IRwaVault
/// @notice The tokenized SPV: an ERC20 share (the liquid shell) over an off-chain pool of loans or
///         buildings (the illiquid core). Subscriptions are instant at NAV; redemptions are slow:
///         request, notice period, settlement at the NAV struck then from a cash buffer, under a
///         per-epoch gate, then claim. NAV is per share, in asset units, scaled by 1e18.
interface IRwaVault is IERC20 {
    // ---------------------------------------------------------------- events
    event Subscribed(address indexed sender, address indexed receiver, uint256 assets, uint256 shares);
    event NavReported(uint256 navPerShare, uint64 asOf, address indexed reporter);
    event NavProposed(uint256 navPerShare, uint64 asOf, address indexed reporter);
    /// @notice A confirmer signed a pending NAV; it is now the reference for the move bound.
    event NavConfirmed(uint256 navPerShare, uint64 asOf, address indexed confirmer);
    event NavStatusChanged(NavStatus status, string reason);
    event RedeemRequested(
        uint256 indexed requestId,
        address indexed controller,
        address indexed owner,
        uint256 shares,
        uint64 epoch
    );
    event RedeemCancelled(uint256 indexed requestId, address indexed controller, uint256 shares);
    event RedemptionsSettled(uint64 indexed epoch, uint256 shares, uint256 assets, uint256 navPerShare);
    event RedeemClaimed(uint256 indexed requestId, address indexed receiver, uint256 assets);
    event BufferRefilled(address indexed from, uint256 assets);
    event AllowlistSet(address indexed account, bool allowed);
    event AllowlistEnabled(bool enabled);
    event ParameterSet(bytes32 indexed name, uint256 value);
    event CustodianSet(address indexed custodian);

    // ---------------------------------------------------------------- errors
    error VaultZeroAmount();
    error VaultNavNotSet();
    error VaultUnderReview();
    error VaultNavMoveTooLarge(uint256 current, uint256 proposed, uint256 maxMoveWad);
    error VaultNavTimestampInvalid(uint64 asOf, uint64 lastAsOf, uint256 nowTs);
    error VaultNoPendingNav();
    error VaultNavOutOfBounds(uint256 navPerShare);
    error VaultNotController(uint256 requestId, address caller, address controller);
    error VaultUnknownRequest(uint256 requestId);
    error VaultNothingToCancel(uint256 requestId);
    error VaultNotAllowlisted(address account);
    error VaultParameterOutOfBounds(bytes32 name, uint256 value, uint256 min, uint256 max);
    error VaultZeroAddress();

    // ---------------------------------------------------------------- NAV
    /// @notice The stablecoin that subscriptions pay and redemptions return.
    function asset() external view returns (address);
    /// @notice NAV per share (assets per share, 1e18), the timestamp it was struck as of, and its status.
    function navInfo() external view returns (uint256 navPerShare, uint64 asOf, NavStatus status);
    /// @notice Reports a NAV (NAV reporter role). A move larger than `maxNavMoveWad` against the
    ///         current NAV or against `referenceNav` is held as pending until the confirmer role
    ///         confirms it; a later report within both bounds supersedes it. Small steps therefore
    ///         cannot walk the NAV away from the last confirmed value alone, and slow drift
    ///         accumulates against the reference until a confirmer signs a report.
    function reportNav(uint256 navPerShare, uint64 asOf) external;
    /// @notice Confirms the pending NAV (confirmer role), which also becomes the reference.
    function confirmNav() external;
    /// @notice The last NAV a confirmer signed (the initial NAV before any): the anchor that bounds
    ///         how far reports alone may move the NAV.
    function referenceNav() external view returns (uint256);
    /// @notice Sets the NAV status (guardian or NAV reporter), with a reason for the record.
    function setNavStatus(NavStatus status, string calldata reason) external;

    // ---------------------------------------------------------------- subscribe
    /// @notice Pays `assets` of the stablecoin to the custodian and mints shares at NAV (rounded down).
    function subscribe(uint256 assets, address receiver) external returns (uint256 shares);
    function previewSubscribe(uint256 assets) external view returns (uint256 shares);

    // ---------------------------------------------------------------- redeem (asynchronous)
    /// @notice Locks `shares` of `owner` (caller must be owner or have allowance) into a request
    ///         that `controller` may claim or cancel. Shares stay in supply until settled.
    function requestRedeem(uint256 shares, address controller, address owner)
        external
        returns (uint256 requestId);
    /// @notice Returns the still-unsettled shares of a request to its controller.
    function cancelRedeem(uint256 requestId) external returns (uint256 shares);
    /// @notice Anyone: settles matured requests (notice period elapsed) at the current NAV, pro rata,
    ///         up to the epoch gate and the cash buffer. Unsettled shares roll over. Settled shares burn.
    ///         Matured cohorts join the pool first, a bounded number per call: a call that leaves some
    ///         unjoined (a long backlog) settles nothing, and the next call goes on.
    function settle() external returns (uint256 sharesSettled, uint256 assetsOwed);
    /// @notice Pays the controller the assets settled so far for `requestId` and not yet claimed.
    function claim(uint256 requestId, address receiver) external returns (uint256 assets);
    /// @notice The custodian (or anyone) returns cash to the buffer that pays redemptions.
    function refillBuffer(uint256 assets) external;

    /// @notice A request's static data.
    function redeemRequest(uint256 requestId) external view returns (RedeemRequest memory);
    /// @notice Shares of a request not yet settled, and assets settled but not yet claimed.
    function redeemStatus(uint256 requestId)
        external
        view
        returns (uint256 pendingShares, uint256 claimableAssets);
    /// @notice All shares waiting for settlement: the run signal.
    function totalPendingShares() external view returns (uint256);
    /// @notice Cash available to pay settlements (excludes assets owed to settled-but-unclaimed requests).
    function availableBuffer() external view returns (uint256);
    /// @notice The notice period in seconds.
    function noticePeriod() external view returns (uint64);
}
