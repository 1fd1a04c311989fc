-- The platform's SQL Server accounts: one login and user per program, each with rights on its own database only,
-- and one migration login that owns the schema changes (docs/operations.md §5.5, issue 25 item 3).
--
--   login              database(s)                     rights
--   lct_migrate        all four                        db_owner (the migration jobs: CREATE/ALTER/DROP)
--   lct_registry       LingchengRegistry               db_datareader, db_datawriter; no DDL; DENY UPDATE, DELETE on AuditRecords
--   lct_entitlements   LingchengEntitlements           the same on its database
--   lct_verification   LingchengVerification           the same on its database
--   lct_identity       LingchengIdentity               the same on its database
--
-- Run by a sysadmin (sa, or a DBA's own admin login) with sqlcmd, BEFORE the migrations: deploy/sql/create-accounts.sh
-- reads the password files and runs it (compose: the job sql-accounts). It creates the four databases when missing,
-- so the migration login needs no server-wide right. Idempotent: a second run changes nothing (a login's password
-- is set only when it differs, a membership or permission only when missing), so it is also how a password is
-- rotated (run it with the new password file) and how drift is repaired (a service user added to db_owner by hand
-- is taken out again).
--
-- sqlcmd scripting variables (create-accounts.sh passes them through the environment, never on a command line):
--   MigrationPassword, RegistryPassword, EntitlementsPassword, VerificationPassword, IdentityPassword
-- A password must satisfy SQL Server's policy (8+ characters from three of upper, lower, digits, symbols) and must not
-- contain a single quote (sqlcmd substitutes it into a string literal); deploy/compose/make-secrets.sh makes such.
--
-- The audit tables: a service's user may INSERT and SELECT AuditRecords but never UPDATE or DELETE them, so that even
-- a compromised service cannot rewrite its audit chain (TRUNCATE and DROP need ALTER, which no service user has).
-- The table does not exist before the first migration, so each database also gets a DDL trigger that applies the
-- DENY when the migrations create the table (and again whenever it is re-created); this script applies it directly
-- where the table already exists.

:on error exit
SET NOCOUNT ON;
SET XACT_ABORT ON;
GO

IF IS_SRVROLEMEMBER(N'sysadmin') <> 1
BEGIN
    THROW 50000, N'deploy/sql/accounts.sql must be run by a sysadmin login (it creates logins and databases).', 1;
END;
GO

-- The databases, before any login names them as its default database.
IF DB_ID(N'LingchengRegistry') IS NULL CREATE DATABASE [LingchengRegistry];
IF DB_ID(N'LingchengEntitlements') IS NULL CREATE DATABASE [LingchengEntitlements];
IF DB_ID(N'LingchengVerification') IS NULL CREATE DATABASE [LingchengVerification];
IF DB_ID(N'LingchengIdentity') IS NULL CREATE DATABASE [LingchengIdentity];
GO

-- A login with this password: created when missing, its password set only when it differs, enabled.
CREATE PROCEDURE #lct_login @login sysname, @password nvarchar(128), @database sysname
AS
BEGIN
    SET NOCOUNT ON;
    SET XACT_ABORT ON;
    IF @password IS NULL OR LEN(@password) < 12
    BEGIN
        DECLARE @missing nvarchar(200) = N'No password of 12 characters or more for the login ' + @login + N'.';
        THROW 50001, @missing, 1;
    END;

    DECLARE @literal nvarchar(400) = N'N''' + REPLACE(@password, N'''', N'''''') + N'''';
    DECLARE @sql nvarchar(max);
    IF NOT EXISTS (SELECT 1 FROM sys.server_principals WHERE name = @login)
    BEGIN
        SET @sql = N'CREATE LOGIN ' + QUOTENAME(@login) + N' WITH PASSWORD = ' + @literal
            + N', DEFAULT_DATABASE = ' + QUOTENAME(@database) + N', CHECK_POLICY = ON, CHECK_EXPIRATION = OFF;';
        EXEC (@sql);
        PRINT N'created login ' + @login;
    END
    ELSE IF NOT EXISTS (SELECT 1 FROM sys.sql_logins WHERE name = @login AND PWDCOMPARE(@password, password_hash) = 1)
    BEGIN
        SET @sql = N'ALTER LOGIN ' + QUOTENAME(@login) + N' WITH PASSWORD = ' + @literal + N';';
        EXEC (@sql);
        PRINT N'set a new password for login ' + @login;
    END;

    IF EXISTS (SELECT 1 FROM sys.server_principals WHERE name = @login AND is_disabled = 1)
    BEGIN
        SET @sql = N'ALTER LOGIN ' + QUOTENAME(@login) + N' ENABLE;';
        EXEC (@sql);
    END;
END;
GO

-- A user of @login in @database with exactly the fixed roles of its kind: 'service' (db_datareader, db_datawriter,
-- no database-wide grant beyond CONNECT, DENY UPDATE, DELETE on AuditRecords) or 'migration' (db_owner).
CREATE PROCEDURE #lct_user @database sysname, @login sysname, @kind varchar(10)
AS
BEGIN
    SET NOCOUNT ON;
    SET XACT_ABORT ON;
    DECLARE @in_database nvarchar(300) = QUOTENAME(@database) + N'.sys.sp_executesql';
    DECLARE @name nvarchar(300) = N'N''' + REPLACE(@login, N'''', N'''''') + N'''';

    -- The DENY again whenever a table is created or renamed: the migrations create AuditRecords after this script
    -- has run. The trigger runs as whoever migrates (lct_migrate, a db_owner, or a DBA applying
    -- deploy/sql/<service>.sql as sysadmin), who may DENY.
    DECLARE @trigger nvarchar(max) = N'TRIGGER [lct_audit_records_append_only] ON DATABASE FOR CREATE_TABLE, RENAME
AS
BEGIN
    SET NOCOUNT ON;
    IF OBJECT_ID(N''dbo.AuditRecords'', N''U'') IS NOT NULL AND DATABASE_PRINCIPAL_ID(' + @name + N') IS NOT NULL
        AND (SELECT COUNT(*) FROM sys.database_permissions p
             WHERE p.class = 1 AND p.major_id = OBJECT_ID(N''dbo.AuditRecords'', N''U'') AND p.minor_id = 0
               AND p.grantee_principal_id = DATABASE_PRINCIPAL_ID(' + @name + N') AND p.state = ''D''
               AND p.permission_name IN (N''UPDATE'', N''DELETE'')) < 2
        DENY UPDATE, DELETE ON OBJECT::dbo.AuditRecords TO ' + QUOTENAME(@login) + N';
END;';

    DECLARE @body nvarchar(max) = N'
SET NOCOUNT ON;
DECLARE @q nvarchar(max);
IF DATABASE_PRINCIPAL_ID(@login) IS NULL
BEGIN
    SET @q = N''CREATE USER '' + QUOTENAME(@login) + N'' FOR LOGIN '' + QUOTENAME(@login) + N'' WITH DEFAULT_SCHEMA = dbo;'';
    EXEC (@q);
    PRINT N''created user '' + @login + N'' in '' + DB_NAME();
END
ELSE IF NOT EXISTS (SELECT 1 FROM sys.database_principals d JOIN sys.server_principals s ON s.sid = d.sid WHERE d.name = @login)
BEGIN
    -- A database restored from another server keeps that server''s SID: map the user to this server''s login.
    SET @q = N''ALTER USER '' + QUOTENAME(@login) + N'' WITH LOGIN = '' + QUOTENAME(@login) + N'';'';
    EXEC (@q);
END;

-- Exactly the fixed roles of its kind: add what is missing, take out what is not its.
SET @q = NULL;
SELECT @q = STRING_AGG(CONVERT(nvarchar(max), N''ALTER ROLE '' + QUOTENAME(r.name)
        + CASE WHEN r.wanted = 1 THEN N'' ADD MEMBER '' ELSE N'' DROP MEMBER '' END + QUOTENAME(@login) + N'';''), N'' '')
FROM (
    SELECT p.name,
        CASE WHEN (@kind = ''service'' AND p.name IN (N''db_datareader'', N''db_datawriter'')) OR (@kind = ''migration'' AND p.name = N''db_owner'')
             THEN 1 ELSE 0 END AS wanted,
        CASE WHEN EXISTS (SELECT 1 FROM sys.database_role_members m
                          WHERE m.role_principal_id = p.principal_id AND m.member_principal_id = DATABASE_PRINCIPAL_ID(@login))
             THEN 1 ELSE 0 END AS member
    FROM sys.database_principals p
    WHERE p.type = ''R'' AND p.is_fixed_role = 1) r
WHERE r.wanted <> r.member;
IF @q IS NOT NULL EXEC (@q);

IF @kind = ''service''
BEGIN
    -- No database-wide permission besides CONNECT (a GRANT CREATE TABLE or ALTER given by hand is revoked).
    SET @q = NULL;
    SELECT @q = STRING_AGG(CONVERT(nvarchar(max), N''REVOKE '' + p.permission_name + N'' TO '' + QUOTENAME(@login) + N'' CASCADE;''), N'' '')
    FROM sys.database_permissions p
    WHERE p.class = 0 AND p.grantee_principal_id = DATABASE_PRINCIPAL_ID(@login) AND p.state IN (''G'', ''W'') AND p.permission_name <> N''CONNECT'';
    IF @q IS NOT NULL EXEC (@q);

    -- The audit chain is append-only for the service: INSERT and SELECT, never UPDATE or DELETE.
    IF OBJECT_ID(N''dbo.AuditRecords'', N''U'') IS NOT NULL
        AND (SELECT COUNT(*) FROM sys.database_permissions p
             WHERE p.class = 1 AND p.major_id = OBJECT_ID(N''dbo.AuditRecords'', N''U'') AND p.minor_id = 0
               AND p.grantee_principal_id = DATABASE_PRINCIPAL_ID(@login) AND p.state = ''D''
               AND p.permission_name IN (N''UPDATE'', N''DELETE'')) < 2
    BEGIN
        SET @q = N''DENY UPDATE, DELETE ON OBJECT::dbo.AuditRecords TO '' + QUOTENAME(@login) + N'';'';
        EXEC (@q);
        PRINT N''denied UPDATE, DELETE on AuditRecords to '' + @login + N'' in '' + DB_NAME();
    END;

    IF NOT EXISTS (SELECT 1 FROM sys.triggers t JOIN sys.sql_modules m ON m.object_id = t.object_id
                   WHERE t.parent_class = 0 AND t.name = N''lct_audit_records_append_only'' AND CHARINDEX(@trigger, m.definition) > 0)
    BEGIN
        SET @q = CASE WHEN EXISTS (SELECT 1 FROM sys.triggers WHERE parent_class = 0 AND name = N''lct_audit_records_append_only'')
                      THEN N''ALTER '' ELSE N''CREATE '' END + @trigger;
        EXEC (@q);
        PRINT N''created the append-only trigger of AuditRecords in '' + DB_NAME();
    END;
END;';
    EXEC @in_database @body, N'@login sysname, @kind varchar(10), @trigger nvarchar(max)', @login = @login, @kind = @kind, @trigger = @trigger;
END;
GO

EXEC #lct_login N'lct_migrate', N'$(MigrationPassword)', N'master';
EXEC #lct_login N'lct_registry', N'$(RegistryPassword)', N'LingchengRegistry';
EXEC #lct_login N'lct_entitlements', N'$(EntitlementsPassword)', N'LingchengEntitlements';
EXEC #lct_login N'lct_verification', N'$(VerificationPassword)', N'LingchengVerification';
EXEC #lct_login N'lct_identity', N'$(IdentityPassword)', N'LingchengIdentity';
GO

EXEC #lct_user N'LingchengRegistry', N'lct_migrate', 'migration';
EXEC #lct_user N'LingchengEntitlements', N'lct_migrate', 'migration';
EXEC #lct_user N'LingchengVerification', N'lct_migrate', 'migration';
EXEC #lct_user N'LingchengIdentity', N'lct_migrate', 'migration';

EXEC #lct_user N'LingchengRegistry', N'lct_registry', 'service';
EXEC #lct_user N'LingchengEntitlements', N'lct_entitlements', 'service';
EXEC #lct_user N'LingchengVerification', N'lct_verification', 'service';
EXEC #lct_user N'LingchengIdentity', N'lct_identity', 'service';
GO

DROP PROCEDURE #lct_user;
DROP PROCEDURE #lct_login;
GO
