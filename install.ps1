# Installs attio-auth on Windows from a release: the x86_64 .zip, checked against the
# release's SHA256SUMS before anything is installed, then attio-auth.exe into
# $Prefix\bin (default: %LOCALAPPDATA%\Programs\attio-auth\bin), the PowerShell
# completion beside it, and that directory on the user's PATH.
#
#   irm https://github.com/attio-auth/attio-auth/releases/latest/download/install.ps1 | iex
#   .\install.ps1 [-Prefix DIR] [-Version 0.2.0] [-BaseUrl URL]
#
# The counterpart of install.sh; it has not been run here (no PowerShell on the Linux
# machine that CI runs on), only written to the same rules.
[CmdletBinding()]
param(
    [string]$Prefix = (Join-Path $env:LOCALAPPDATA 'Programs\attio-auth'),
    [string]$Version = 'latest',
    [string]$BaseUrl = ''
)
$ErrorActionPreference = 'Stop'
$Repo = 'https://github.com/attio-auth/attio-auth'

function Fail([string]$Message) {
    Write-Error "install.ps1: error: $Message" -ErrorAction Continue
    exit 1
}

$Version = $Version.TrimStart('v')
if (-not $BaseUrl) {
    if ($Version -eq 'latest') { $BaseUrl = "$Repo/releases/latest/download" }
    else { $BaseUrl = "$Repo/releases/download/v$Version" }
}
$BaseUrl = $BaseUrl.TrimEnd('/')
if (-not ($BaseUrl -match '^https://' -or $BaseUrl -match '^http://(127\.0\.0\.1|localhost|\[::1\])(:|/)')) {
    Write-Error "install.ps1: error: -BaseUrl must be https:// (plain http:// only on this machine): $BaseUrl" -ErrorAction Continue
    exit 2
}
if ([System.Environment]::Is64BitOperatingSystem -eq $false) {
    Write-Error 'install.ps1: error: attio-auth is built for 64-bit Windows only; build it from source: cargo install --locked attio-auth' -ErrorAction Continue
    exit 2
}
$Target = 'x86_64-pc-windows-gnu'

$Temp = Join-Path ([System.IO.Path]::GetTempPath()) ("attio-auth-" + [System.Guid]::NewGuid())
New-Item -ItemType Directory -Path $Temp | Out-Null
try {
    $Sums = Join-Path $Temp 'SHA256SUMS'
    try { Invoke-WebRequest -UseBasicParsing -Uri "$BaseUrl/SHA256SUMS" -OutFile $Sums }
    catch { Fail "could not download $BaseUrl/SHA256SUMS: check the network, -Version and -BaseUrl" }
    $Lines = @(Get-Content $Sums | Where-Object { $_ -match "^[0-9a-f]{64}  attio-auth-v[0-9A-Za-z.+-]+-$Target\.zip$" })
    if ($Lines.Count -ne 1) { Fail "the release at $BaseUrl has no single archive for $Target" }
    $Expected, $Archive = $Lines[0] -split '  ', 2
    Write-Output "Downloading $Archive"
    $Zip = Join-Path $Temp $Archive
    try { Invoke-WebRequest -UseBasicParsing -Uri "$BaseUrl/$Archive" -OutFile $Zip }
    catch { Fail "could not download $BaseUrl/$Archive" }
    $Actual = (Get-FileHash -Algorithm SHA256 -Path $Zip).Hash.ToLowerInvariant()
    if ($Actual -ne $Expected) {
        Fail "$Archive does not match the release's SHA256SUMS (expected $Expected, got $Actual); nothing was installed: download again, and report it if it persists"
    }
    $Unpacked = Join-Path $Temp 'x'
    Expand-Archive -Path $Zip -DestinationPath $Unpacked
    $Dir = Join-Path $Unpacked ($Archive -replace '\.zip$', '')
    $Exe = Join-Path $Dir 'attio-auth.exe'
    if (-not (Test-Path $Exe)) { Fail "$Archive holds no attio-auth.exe; nothing was installed" }
    $Installed = & $Exe --version
    if ($LASTEXITCODE -ne 0) { Fail "the attio-auth.exe in $Archive does not run here; nothing was installed" }

    $Bin = Join-Path $Prefix 'bin'
    New-Item -ItemType Directory -Force -Path $Bin | Out-Null
    # Copied beside its place, then moved over it.
    Copy-Item $Exe (Join-Path $Bin 'attio-auth.exe.new') -Force
    Move-Item (Join-Path $Bin 'attio-auth.exe.new') (Join-Path $Bin 'attio-auth.exe') -Force
    Copy-Item (Join-Path $Dir 'completions\_attio-auth.ps1') (Join-Path $Prefix '_attio-auth.ps1') -Force
    Write-Output "Installed $Installed to $Bin\attio-auth.exe"

    $UserPath = [Environment]::GetEnvironmentVariable('Path', 'User')
    if (-not (($UserPath -split ';') -contains $Bin)) {
        $NewPath = if ($UserPath) { "$Bin;$UserPath" } else { $Bin }
        [Environment]::SetEnvironmentVariable('Path', $NewPath, 'User')
        Write-Output "Added $Bin to your user PATH: open a new terminal to use attio-auth."
    }
    Write-Output "Completions: add  . '$Prefix\_attio-auth.ps1'  to your PowerShell profile (notepad `$PROFILE)."
    Write-Output "Next: attio-auth login --mcp (Attio's hosted MCP server, no app needed), or see attio-auth --help"
}
finally {
    Remove-Item -Recurse -Force $Temp -ErrorAction SilentlyContinue
}
