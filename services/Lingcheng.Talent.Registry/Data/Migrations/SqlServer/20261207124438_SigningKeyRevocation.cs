using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Lingcheng.Talent.Registry.Data.Migrations.SqlServer
{
    /// <inheritdoc />
    public partial class SigningKeyRevocation : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "RevocationNote",
                table: "SigningKeys",
                type: "nvarchar(500)",
                maxLength: 500,
                nullable: true);

            migrationBuilder.AddColumn<DateTime>(
                name: "RevokedAt",
                table: "SigningKeys",
                type: "datetime2",
                nullable: true);

            migrationBuilder.AddColumn<bool>(
                name: "SignaturesRecorded",
                table: "SigningKeys",
                type: "bit",
                nullable: false,
                defaultValue: false);

            migrationBuilder.CreateTable(
                name: "SignedTokens",
                columns: table => new
                {
                    Kid = table.Column<string>(type: "nchar(16)", fixedLength: true, maxLength: 16, nullable: false),
                    CardNumber = table.Column<string>(type: "nchar(11)", fixedLength: true, maxLength: 11, nullable: false),
                    CardVersion = table.Column<int>(type: "int", nullable: false),
                    ExpiresAt = table.Column<DateTime>(type: "datetime2", nullable: false),
                    LastSignedAt = table.Column<DateTime>(type: "datetime2", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_SignedTokens", x => new { x.Kid, x.CardNumber });
                });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "SignedTokens");

            migrationBuilder.DropColumn(
                name: "RevocationNote",
                table: "SigningKeys");

            migrationBuilder.DropColumn(
                name: "RevokedAt",
                table: "SigningKeys");

            migrationBuilder.DropColumn(
                name: "SignaturesRecorded",
                table: "SigningKeys");
        }
    }
}
